/* Validation of what the phone sends, the same rules the server applies (so a collector learns of a
   mistake at the door, not a day later from the reviewer):

   - identifiers: a port of ybss/core/identifiers.py (GB 11643 ID numbers with the ISO 7064
     MOD 11-2 check, mobiles ^1[3-9]\d{9}$ with the carrier blocks as data, landlines with their
     area code), with the same error codes (id.format, id.checksum, phone.format …);
   - forms: the person and house rules of ybss/registry/services.py (_validate_person,
     _validate_house, _validate_residence) and the door plate / room rules of
     ybss/addresses/services.py.

   Pure functions over plain values; no DOM, no storage. Every check returns findings
   {code, severity, field}; the form code turns codes into words through the page's translated
   text. tests/web/test_collect_validation_parity.py runs this file in Chromium against the Python
   validators. Dates are "YYYY-MM-DD" strings; ``today`` defaults to the phone's local date. */

export const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export const ID_CHECK_CHARS = "10X98765432";
export const EARLIEST_BIRTH_DATE = "1890-01-01";

/* Python's str.isspace() set (bidi WS, B, S and category Zs), which _normalise drops. */
const PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/gu;
const FORMAT_CHARS = /\p{Cf}/gu;

/* NFKC, drop whitespace and invisible format characters, upper-case (identifiers._normalise). */
export function normalise(value) {
  if (value === null || value === undefined || value === "") { return ""; }
  return String(value).normalize("NFKC").replace(PY_SPACE, "").replace(FORMAT_CHARS, "").toUpperCase();
}

function finding(code, severity, field) {
  return { code: code, severity: severity || "error", field: field || null };
}

export function errorsOf(findings) { return findings.filter(function (f) { return f.severity === "error"; }); }

function pad(n, width) { return String(n).padStart(width, "0"); }

export function localToday() {
  const d = new Date();
  return pad(d.getFullYear(), 4) + "-" + pad(d.getMonth() + 1, 2) + "-" + pad(d.getDate(), 2);
}

function isLeap(y) { return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0; }

/* "YYYY-MM-DD" when y/m/d is a real date Python's datetime.date accepts (years 1–9999), else null. */
export function realDate(y, m, d) {
  if (!(y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1)) { return null; }
  const days = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  if (d > days) { return null; }
  return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2);
}

/* A date typed in a form: "YYYY-MM-DD" → itself when real, else null. */
export function parseDate(text) {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(String(text || "").trim());
  return m ? realDate(+m[1], +m[2], +m[3]) : null;
}

// --- resident ID numbers (GB 11643-1999) ------------------------------------------------------

const ID18 = /^[0-9]{17}[0-9X]$/;
const ID15 = /^[0-9]{15}$/;
const DIGITS17 = /^[0-9]{17}$/;

export function idCheckChar(first17) {
  if (!DIGITS17.test(first17)) { throw new Error("an ID number body is exactly 17 digits"); }
  let total = 0;
  for (let i = 0; i < 17; i++) { total += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i]; }
  return ID_CHECK_CHARS[total % 11];
}

export function id15to18(value) {
  const v = normalise(value);
  if (!ID15.test(v)) { throw new Error("a legacy ID number is exactly 15 digits"); }
  const body = v.slice(0, 6) + "19" + v.slice(6);
  return body + idCheckChar(body);
}

function birthOf(v18) { return realDate(+v18.slice(6, 10), +v18.slice(10, 12), +v18.slice(12, 14)); }
function sexOf(v18) { return (v18.charCodeAt(16) - 48) % 2 ? "1" : "2"; }

/* identifiers.check_id_number: {value, ok, findings, region, birthDate, sex}.
   opts: today, expectedSex ("1"/"2" checked), expectedBirthDate, knownRegions (a Set). */
export function checkIdNumber(value, opts) {
  opts = opts || {};
  let v = normalise(value);
  if (!v) { return { value: "", ok: false, findings: [finding("id.empty")] }; }
  const findings = [];
  if (ID15.test(v)) {
    v = id15to18(v);
    findings.push(finding("id.legacy15", "warning"));
  } else if (!ID18.test(v)) {
    return { value: v, ok: false, findings: [finding("id.format")] };
  }
  const region = v.slice(0, 6);
  const sex = sexOf(v);
  const birthDate = birthOf(v);
  const today = opts.today || localToday();
  if (birthDate === null) {
    findings.push(finding("id.birth_date"));
  } else if (birthDate > today) {
    findings.push(finding("id.birth_future"));
  } else if (birthDate < EARLIEST_BIRTH_DATE) {
    findings.push(finding("id.birth_too_old"));
  }
  if (v[17] !== idCheckChar(v.slice(0, 17))) { findings.push(finding("id.checksum")); }
  if ((opts.expectedSex === "1" || opts.expectedSex === "2") && opts.expectedSex !== sex) {
    findings.push(finding("id.sex_mismatch", "error", "sex"));
  }
  if (opts.expectedBirthDate && birthDate !== null && opts.expectedBirthDate !== birthDate) {
    findings.push(finding("id.birth_mismatch", "error", "birth_date"));
  }
  if (opts.knownRegions && !opts.knownRegions.has(region)) {
    findings.push(finding("id.region_unknown", "warning"));
  }
  return {
    value: v, ok: errorsOf(findings).length === 0, findings: findings,
    region: region, birthDate: birthDate, sex: sex
  };
}

/* Birth date and sex read from a number that has the right shape (checksum not checked): the
   form fills them in as the collector types. */
export function readIdNumber(value) {
  let v = normalise(value);
  if (ID15.test(v)) { v = id15to18(v); }
  if (!ID18.test(v)) { return null; }
  return { value: v, birthDate: birthOf(v), sex: sexOf(v) };
}

// --- unified social credit codes (GB 32100-2015) -------------------------------------------------

export const CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";  // no I O S V Z

export function creditCheckChar(first17) {
  let total = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CODE_ALPHABET.indexOf(first17[i]);
    if (v < 0 || first17.length !== 17) { throw new Error("a credit code body is 17 characters of the code alphabet"); }
    let w = 1;
    for (let k = 0; k < i; k++) { w = (w * 3) % 31; }
    total += v * w;
  }
  return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31];
}

/* identifiers.check_credit_code: a wrong check character is only a warning (a few real codes fail). */
export function checkCreditCode(value) {
  const v = normalise(value);
  if (!v) { return { value: "", ok: false, findings: [finding("credit.empty")] }; }
  if (v.length !== 18 || [...v].some(function (c) { return !CREDIT_CODE_ALPHABET.includes(c); })) {
    return { value: v, ok: false, findings: [finding("credit.format")] };
  }
  if (v[17] !== creditCheckChar(v.slice(0, 17))) {
    return { value: v, ok: true, findings: [finding("credit.checksum", "warning")] };
  }
  return { value: v, ok: true, findings: [] };
}

// --- phone numbers ---------------------------------------------------------------------------

/* Data, not logic (identifiers.MOBILE_PREFIXES): the blocks assigned for 11-digit mobiles. */
export const MOBILE_PREFIXES = new Set([].concat(
  Array.from({ length: 10 }, function (_, d) { return "13" + d; }),
  ["145", "146", "147", "148", "149",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "162", "165", "166", "167",
    "170", "171", "172", "173", "174", "175", "176", "177", "178"],
  Array.from({ length: 10 }, function (_, d) { return "18" + d; }),
  ["190", "191", "192", "193", "195", "196", "197", "198", "199"]
));

const MOBILE = /^(?:\+?86|0086)?(1[3-9][0-9]{9})$/;
const LANDLINE = new RegExp(
  "^(?<country>(?:\\+?86|0086)-?)?" +
  "\\(?(?<area>0?(?:10|2[0-9]|[3-9][0-9]{2}))\\)?-?" +
  "(?<number>[2-9][0-9]{2,3}-?[0-9]{4})" +
  "(?:(?:-|转|EXT\\.?|X|#)(?<extension>[0-9]{1,6}))?$"
);

function mobileDigits(value) {
  const m = MOBILE.exec(normalise(value).replace(/[-–—.]/g, ""));
  return m ? m[1] : null;
}

function landlineParts(value) {
  const m = LANDLINE.exec(normalise(value).replace(/[.–—]/g, ""));
  if (!m) { return null; }
  let area = m.groups.area;
  if (area[0] !== "0") {
    if (!m.groups.country) { return null; }  // the trunk 0 may only be left out after +86
    area = "0" + area;
  }
  return [area, m.groups.number.replace("-", ""), m.groups.extension || ""];
}

export function normalizePhone(value) {
  const mobile = mobileDigits(value);
  if (mobile) { return mobile; }
  const parts = landlineParts(value);
  if (parts) { return parts.filter(Boolean).join("-"); }
  return normalise(value);
}

function unknownBlock(mobile) {
  return MOBILE_PREFIXES.has(mobile.slice(0, 3)) ? [] : [finding("phone.unknown_carrier_block", "warning")];
}

export function checkMobile(value) {
  const mobile = mobileDigits(value);
  return mobile === null ? [finding("phone.mobile_format")] : unknownBlock(mobile);
}

export function checkLandline(value) {
  return landlineParts(value) === null ? [finding("phone.landline_format")] : [];
}

export function checkPhone(value) {
  const mobile = mobileDigits(value);
  if (mobile !== null) { return unknownBlock(mobile); }
  if (landlineParts(value) !== null) { return []; }
  return [finding("phone.format")];
}

// --- forms -------------------------------------------------------------------------------------

/* Collects {field: [{code, params}]}; ``prefix`` ("persons.0.") gives the server's error keys. */
export class Errors {
  constructor() { this.fields = {}; }
  add(field, code, params) { (this.fields[field] = this.fields[field] || []).push({ code: code, params: params || null }); }
  merge(other, prefix) {
    for (const [k, list] of Object.entries(other.fields)) {
      for (const e of list) { this.add((prefix || "") + k, e.code, e.params); }
    }
  }
  get empty() { return Object.keys(this.fields).length === 0; }
}

function blank(v) { return v === null || v === undefined || (typeof v === "string" && !v.trim()); }

function require(errors, data, fields) {
  for (const f of fields) { if (blank(data[f])) { errors.add(f, "required"); } }
}

function checkLength(errors, data, limits) {
  for (const [f, n] of Object.entries(limits)) {
    const v = data[f];
    if (typeof v === "string" && v.length > n) { errors.add(f, "max_length", { n: n }); }
  }
}

/* registry.validation.check_code: ``value`` must be a code of the list (empty allowed unless
   required). ``codes`` maps a list slug to its [[code, label], ...]; an unknown list is not checked
   (the server still is). */
function checkCode(errors, field, slug, value, codes, required) {
  if (blank(value)) { if (required) { errors.add(field, "required"); } return; }
  const list = codes && codes[slug];
  if (list && !list.some(function (c) { return c[0] === value; })) { errors.add(field, "choice", { value: value }); }
}

function checkDateField(errors, field, value, today) {
  if (blank(value)) { return null; }
  const d = parseDate(value);
  if (d === null) { errors.add(field, "date"); return null; }
  if (d > today) { errors.add(field, "date_future"); }
  return d;
}

function checkNumber(errors, field, value, lo, hi, integer) {
  if (blank(value)) { return; }
  const n = Number(String(value).trim());
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) { errors.add(field, integer ? "integer" : "number"); return; }
  if (!(lo <= n && n <= hi)) { errors.add(field, "range", { lo: lo, hi: hi }); }
}

function checkIdField(errors, field, value, opts) {
  if (blank(value)) { if (opts.required) { errors.add(field, "required"); } return; }
  const idType = opts.idType || "111";
  if (idType !== "111" && idType !== "112") {
    if (String(value).trim().length > 32) { errors.add(field, "max_length", { n: 32 }); }
    return;
  }
  const res = checkIdNumber(value, {
    today: opts.today, expectedSex: opts.sex, expectedBirthDate: opts.birthDate || null
  });
  for (const f of errorsOf(res.findings)) { errors.add(field, f.code); }
}

function checkPhoneField(errors, field, value) {
  if (blank(value)) { return; }
  for (const f of errorsOf(checkPhone(value))) { errors.add(field, f.code); }
}

/* registry.rules.division_prefix: a division code without its all-zero trailing levels. */
export function divisionPrefix(code) {
  const widths = [2, 2, 2, 3, 3];
  let digits = String(code || "").trim().padEnd(12, "0");
  while (widths.length) {
    const end = widths.slice(0, -1).reduce(function (a, b) { return a + b; }, 0);
    if (!/^0+$/.test(digits.slice(end, end + widths[widths.length - 1]))) { break; }
    digits = digits.slice(0, end);
    widths.pop();
  }
  return digits;
}

function ageOn(birth, on) {
  const [by, bm, bd] = birth.split("-").map(Number);
  const [oy, om, od] = on.split("-").map(Number);
  return oy - by - ((om < bm || (om === bm && od < bd)) ? 1 : 0);
}

/* Person fields and their residence (ctx: {codes, today, countyCode}): the checks of
   _validate_person and _validate_residence that need no database. Keys as the server's. */
export function validatePerson(fields, residence, ctx) {
  ctx = ctx || {};
  const today = ctx.today || localToday();
  const codes = ctx.codes || {};
  const e = new Errors();
  const p = Object.assign({ id_type: "111" }, fields);
  require(e, p, ["name", "id_number", "sex"]);
  checkLength(e, p, {
    name: 60, former_names: 120, hukou_address_text: 200, occupation: 60, employer: 100,
    foreign_surname: 60, foreign_given_name: 60
  });
  checkCode(e, "id_type", "id_type", p.id_type, codes, true);
  checkCode(e, "sex", "sex", p.sex, codes);
  checkCode(e, "ethnicity", "ethnicity", p.ethnicity, codes);
  checkCode(e, "education", "education", p.education, codes);
  checkCode(e, "marital", "marital", p.marital, codes);
  checkCode(e, "nationality", "nationality", p.nationality, codes);
  checkCode(e, "visa_type", "visa_type", p.visa_type, codes);
  const birth = checkDateField(e, "birth_date", p.birth_date, today);
  checkDateField(e, "entry_date", p.entry_date, today);
  if (!blank(p.id_number)) {
    checkIdField(e, "id_number", p.id_number, { idType: p.id_type, sex: p.sex, birthDate: birth, today: today });
  }
  checkPhoneField(e, "phone", p.phone);
  checkPhoneField(e, "phone2", p.phone2);
  const hukou = String(p.hukou_division_code || "").trim();
  if (hukou && !(/^[0-9]+$/.test(hukou) && [6, 9, 12].includes(hukou.length))) {
    e.add("hukou_division_code", "hukou.format");
  }
  if (p.id_type === "414" && blank(p.nationality)) { e.add("nationality", "nationality.required"); }
  if (residence) {
    const r = residence;
    const types = codes.residence_type || ctx.residenceTypes;
    if (blank(r.residence_type)) {
      e.add("residence_type", "required");
    } else if (types && !types.some(function (c) { return c[0] === r.residence_type; })) {
      e.add("residence_type", "choice", { value: r.residence_type });
    } else {
      checkCode(e, "relation", "relation", r.relation, codes);
      checkCode(e, "reason", "residence_reason", r.reason, codes);
      checkDateField(e, "since", r.since, today);
      const needsHukou = ["permanent", "lodging", "floating"].includes(r.residence_type);
      if (needsHukou && !hukou) {
        e.add("hukou_division_code", "hukou.required");
      } else if (ctx.countyCode && hukou) {
        const inCounty = hukou.startsWith(divisionPrefix(ctx.countyCode));
        if (r.residence_type === "permanent" && !inCounty) { e.add("residence_type", "residence.permanent_needs_county_hukou"); }
        if (r.residence_type === "lodging" && !inCounty) { e.add("residence_type", "residence.lodging_needs_county_hukou"); }
        if (r.residence_type === "floating" && inCounty) { e.add("residence_type", "residence.floating_needs_outside_hukou"); }
      }
      let born = birth;
      if (!born && (p.id_type === "111" || p.id_type === "112")) {
        const read = readIdNumber(p.id_number);
        born = read && read.birthDate;
      }
      if (r.relation === "02" && born) {
        if (born > today) { e.add("relation", "age.birth_future"); } else if (ageOn(born, today) < 16) { e.add("relation", "age.too_young_for_role", { min_age: 16 }); }
      }
    }
  }
  return e;
}

/* House fields (_validate_house); ``landlordPresent`` says whether a landlord is named. */
export function validateHouse(fields, ctx) {
  ctx = ctx || {};
  const today = ctx.today || localToday();
  const codes = ctx.codes || {};
  const h = Object.assign({ management_level: "C" }, fields);
  const e = new Errors();
  checkCode(e, "house_type", "house_type", h.house_type, codes, true);
  checkCode(e, "use", "house_use", h.use, codes, true);
  checkCode(e, "structure", "house_structure", h.structure, codes);
  checkCode(e, "ownership", "ownership", h.ownership, codes);
  checkCode(e, "rental_mode", "rental_mode", h.rental_mode, codes);
  checkCode(e, "management_level", "management_level", h.management_level, codes, true);
  checkNumber(e, "floors", h.floors, 1, 200, true);
  checkNumber(e, "rooms", h.rooms, 0, 999, true);
  checkNumber(e, "area", h.area, 1, 100000, false);
  checkNumber(e, "rent", h.rent, 0, 10000000, false);
  checkDateField(e, "rental_start", h.rental_start, today);
  checkLength(e, h, { owner_name: 40, custodian_name: 40, rental_filing_no: 40 });
  checkIdField(e, "owner_id_number", h.owner_id_number, { today: today });
  checkIdField(e, "custodian_id_number", h.custodian_id_number, { today: today });
  checkPhoneField(e, "owner_phone", h.owner_phone);
  checkPhoneField(e, "custodian_phone", h.custodian_phone);
  if (h.use === "rented" && ctx.landlordPresent === false) { e.add("landlord", "house.rental_without_landlord"); }
  if (h.use === "rented" && blank(h.rental_mode)) { e.add("rental_mode", "house.rental_mode_required"); }
  return e;
}

/* Unit fields (registry.services._validate_unit, without the checks on the address and house). */
export function validateUnit(fields, ctx) {
  ctx = ctx || {};
  const today = ctx.today || localToday();
  const codes = ctx.codes || {};
  const u = Object.assign({ biz_status: "open", hazards: [] }, fields);
  const e = new Errors();
  require(e, u, ["name", "category"]);
  checkLength(e, u, { name: 100, legal_rep_name: 40, security_lead_name: 40 });
  checkCode(e, "category", "unit_category", u.category, codes);
  checkCode(e, "industry", "industry", u.industry, codes);
  checkCode(e, "special_trade", "special_trade", u.special_trade, codes);
  checkCode(e, "biz_status", "unit_status", u.biz_status, codes, true);
  for (const hz of u.hazards || []) { checkCode(e, "hazards", "hazard", hz, codes); }
  if (!blank(u.credit_code)) {
    for (const f of errorsOf(checkCreditCode(u.credit_code).findings)) { e.add("credit_code", f.code); }
  }
  checkIdField(e, "legal_rep_id_number", u.legal_rep_id_number, { today: today });
  checkIdField(e, "security_lead_id_number", u.security_lead_id_number, { today: today });
  for (const f of ["legal_rep_phone", "security_lead_phone", "phone"]) { checkPhoneField(e, f, u[f]); }
  for (const f of ["legal_rep_id_number", "security_lead_id_number"]) {
    if (blank(u[f]) || e.fields[f]) { continue; }
    const read = readIdNumber(u[f]);
    const born = read && read.birthDate;
    if (born && born > today) { e.add(f, "age.birth_future"); } else if (born && ageOn(born, today) < 18) { e.add(f, f === "legal_rep_id_number" ? "age.too_young_legal_rep" : "age.too_young_security_lead"); }
  }
  const opened = checkDateField(e, "opened_on", u.opened_on, today);
  const closed = parseDate(u.closed_on);
  if (opened && closed && closed < opened) { e.add("closed_on", "date_order"); }
  return e;
}

const DOOR_NO = /^[0-9]{1,5}$/;
const SHORT = /^[0-9A-Za-z-]{1,10}$/;

/* A new door plate (addresses.services.door_plate_create: the checks that need no database). */
export function validateDoor(fields) {
  const d = fields || {};
  const e = new Errors();
  if (blank(d.division_code)) { e.add("division_code", "required"); }
  if (blank(d.road_id)) { e.add("road_id", "required"); }
  if (!DOOR_NO.test(d.door_number || "")) { e.add("door_number", "door.number_format"); }
  for (const f of ["sub_number", "door_prefix", "door_suffix", "building"]) {
    const v = d[f];
    if (v && !SHORT.test(v.replace("号楼", "").replace("栋", "")) && v.length > 10) { e.add(f, "max_length", { n: 10 }); }
  }
  if ((d.common_name || "").length > 60) { e.add("common_name", "max_length", { n: 60 }); }
  return e;
}

/* A new room address (addresses.services.room_create). */
export function validateRoom(fields) {
  const r = fields || {};
  const e = new Errors();
  if (r.unit_no && !SHORT.test(r.unit_no)) { e.add("unit_no", "room.unit_format"); }
  if (!blank(r.floor)) {
    const n = Number(r.floor);
    if (!Number.isInteger(n)) { e.add("floor", "integer"); } else if (n < -10 || n > 200) { e.add("floor", "range", { lo: -10, hi: 200 }); }
  }
  if (!r.room_no || !SHORT.test(r.room_no)) { e.add("room_no", "room.no_format"); }
  return e;
}
