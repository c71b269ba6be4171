/* The collection forms: building the DOM from a plain state object, reading it back, showing
   field errors (the phone's own and the server's, keyed the same way: "persons.0.id_number"),
   and photos (downscaled to at most 1280 px JPEG with a canvas).

   The state of one household collection:
   {mode: "item"|"new", itemId, door: {id, version, label} | {cid, new: {...}},
    roomMode: "courtyard"|"room", room: {id, version, label} | {cid, new: {...}} | null,
    house: {id?, version?, cid?, edit: bool, fields: {...}},
    persons: [{cid, fields: {...}, residence: {...}}], photos: [photo client id], note,
    started_at, replaces} */

import {
  Errors, normalizePhone, normalise, readIdNumber, validateDoor, validateHouse, validatePerson, validateRoom, validateUnit
} from "./validate.js";

// --- DOM helpers ---------------------------------------------------------------------------------

export function h(tag, attrs) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) { continue; }
    if (k === "class") { el.className = v; } else if (k === "text") { el.textContent = v; } else if (k.startsWith("on")) { el.addEventListener(k.slice(2), v); } else if (k === "dataset") { Object.assign(el.dataset, v); } else { el.setAttribute(k, v === true ? "" : v); }
  }
  const children = Array.prototype.slice.call(arguments, 2).flat(Infinity);
  for (const child of children) {
    if (child === null || child === undefined || child === false || child === "") { continue; }
    el.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return el;
}

let fieldSeq = 0;

/* One labelled input. ``spec``: {bind, path, label, type, options, required, hint, attrs}. ``bind``
   is the state path the value lives at, ``path`` the error key (server naming). */
export function field(state, spec) {
  const id = "f" + (++fieldSeq);
  const value = getPath(state, spec.bind);
  let input;
  if (spec.type === "select") {
    input = h("select", Object.assign({ id: id, name: spec.path, "data-bind": spec.bind }, spec.attrs || {}),
      h("option", { value: "" }, spec.placeholder || "—"),
      (spec.options || []).map(function (o) { return h("option", { value: o[0], selected: String(value || "") === String(o[0]) }, o[1]); }));
  } else if (spec.type === "textarea") {
    input = h("textarea", { id: id, name: spec.path, "data-bind": spec.bind, rows: 2, maxlength: spec.maxlength });
    input.value = value || "";
  } else {
    input = h("input", Object.assign({
      id: id, name: spec.path, "data-bind": spec.bind, type: spec.type || "text",
      autocomplete: "off", autocapitalize: "off", spellcheck: "false"
    }, spec.attrs || {}));
    input.value = value === null || value === undefined ? "" : value;
  }
  if (spec.required) { input.setAttribute("aria-required", "true"); }
  const err = h("p", { class: "field-error", id: id + "-err", role: "alert", hidden: true });
  input.setAttribute("aria-describedby", id + "-err");
  return h("div", { class: "field" + (spec.wide ? " wide" : ""), "data-path": spec.path },
    h("label", { for: id }, spec.label, spec.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    input,
    spec.hint ? h("p", { class: "hint" }, spec.hint) : null,
    err);
}

export function getPath(obj, path) {
  return path.split(".").reduce(function (o, k) { return o === null || o === undefined ? undefined : o[k]; }, obj);
}

export function setPath(obj, path, value) {
  const keys = path.split(".");
  let o = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    if (o[keys[i]] === null || o[keys[i]] === undefined) { o[keys[i]] = /^\d+$/.test(keys[i + 1]) ? [] : {}; }
    o = o[keys[i]];
  }
  o[keys[keys.length - 1]] = value;
}

/* The server's error keys name fields as "persons.0.residence.relation" or "house.fields.use" or
   "door.new.door_number"; the form names them "persons.0.relation", "house.use", "door.door_number". */
export function formPath(key) {
  return String(key).replace(/\.(fields|new|residence)\./g, ".");
}

/* Show {path: [message, ...]} on the fields (and the rest in ``summary``); returns the first
   field element with an error. */
export function showErrors(root, messages, summary) {
  root.querySelectorAll(".field.has-error").forEach(function (f) {
    f.classList.remove("has-error");
    const p = f.querySelector(".field-error");
    p.hidden = true;
    p.textContent = "";
    const input = f.querySelector("input, select, textarea");
    if (input) { input.removeAttribute("aria-invalid"); }
  });
  const rest = [];
  let first = null;
  for (const [key, list] of Object.entries(messages || {})) {
    const path = formPath(key);
    const f = root.querySelector('.field[data-path="' + CSS.escape(path) + '"]');
    if (!f) { rest.push([key, list]); continue; }
    f.classList.add("has-error");
    const p = f.querySelector(".field-error");
    p.textContent = list.join(" ");
    p.hidden = false;
    const input = f.querySelector("input, select, textarea");
    if (input) { input.setAttribute("aria-invalid", "true"); }
    first = first || f;
  }
  if (summary) {
    summary.replaceChildren();
    summary.hidden = !rest.length;
    for (const [key, list] of rest) { summary.appendChild(h("li", {}, (key === "__all__" ? "" : key + "：") + list.join(" "))); }
  }
  return first;
}

/* Turn validate.js errors ({field: [{code, params}]}) into messages in the page's language. */
export function messagesOf(errors, t) {
  const out = {};
  for (const [k, list] of Object.entries(errors.fields || errors)) {
    out[k] = list.map(function (e) { return typeof e === "string" ? e : t("err." + e.code, e.params || {}); });
  }
  return out;
}

// --- photos ------------------------------------------------------------------------------------

function loadImage(file) {
  return new Promise(function (resolve, reject) {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = function () { resolve(img); URL.revokeObjectURL(url); };
    img.onerror = function () { reject(new Error("not an image")); URL.revokeObjectURL(url); };
    img.src = url;
  });
}

/* A JPEG Blob no larger than ``max`` px on its long side (EXIF orientation applied). */
export async function downscale(file, max, quality) {
  max = max || 1280;
  let img;
  try {
    img = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch (e) {
    img = await loadImage(file);
  }
  const w = img.width, hgt = img.height;
  const scale = Math.min(1, max / Math.max(w, hgt));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(w * scale));
  canvas.height = Math.max(1, Math.round(hgt * scale));
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  if (img.close) { img.close(); }
  const blob = await new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality || 0.85); });
  if (!blob) { throw new Error("could not encode the photo"); }
  return { blob: blob, width: canvas.width, height: canvas.height };
}

// --- the household form ------------------------------------------------------------------------

function codes(ctx, slug) { return (ctx.boot && ctx.boot.codes && ctx.boot.codes[slug]) || []; }

function section(title, id, children) {
  return h("section", { class: "card form-section", "aria-labelledby": id },
    h("h2", { id: id }, title), children);
}

function doorSection(state, ctx) {
  const t = ctx.t;
  if (state.door && state.door.id) {
    return section(t("Door plate"), "sec-door", [
      h("p", { class: "address" }, state.door.label || ""),
      state.room && state.room.id ? h("p", { class: "address sub" }, state.room.label || "") : null,
      h("p", { class: "muted" }, t("Check the plate on the wall matches; take a photo of it below."))
    ]);
  }
  const roads = (ctx.work && ctx.work.roads) || [];
  const villages = (ctx.work && ctx.work.divisions) || [];
  const village = state.door.new.division_code || (villages.length === 1 ? villages[0].code : "");
  if (village && !state.door.new.division_code) { state.door.new.division_code = village; }
  // A road belongs to a village, or to the town above it (then every village of the town has it).
  const roadOptions = roads.filter(function (r) {
    return !village || String(r.division_code).slice(0, 9) === village.slice(0, 9);
  }).map(function (r) { return [String(r.id), r.name]; });
  const villageOptions = villages.map(function (d) { return [d.code, d.name]; });
  const roomFields = state.roomMode === "room" ? h("div", { class: "grid3" },
    field(state, { bind: "room.new.unit_no", path: "room.unit_no", label: t("Unit (单元)"), attrs: { inputmode: "text", maxlength: 10 } }),
    field(state, { bind: "room.new.floor", path: "room.floor", label: t("Floor"), attrs: { inputmode: "numeric" } }),
    field(state, { bind: "room.new.room_no", path: "room.room_no", label: t("Room number"), required: true, attrs: { inputmode: "text", maxlength: 10 } })
  ) : null;
  return section(t("Door plate"), "sec-door", [
    villages.length > 1 ? field(state, { bind: "door.new.division_code", path: "door.division_code", label: t("Community or village"), type: "select", options: villageOptions, required: true, wide: true, attrs: { "data-rerender": "1" } }) : null,
    field(state, { bind: "door.new.road_id", path: "door.road_id", label: t("Street or villager group"), type: "select", options: roadOptions, required: true, wide: true }),
    field(state, { bind: "door.new.door_number", path: "door.door_number", label: t("Door number"), required: true, attrs: { inputmode: "numeric", maxlength: 5, pattern: "[0-9]*" } }),
    h("div", { class: "grid2" },
      field(state, { bind: "door.new.sub_number", path: "door.sub_number", label: t("Sub-number (附号)"), attrs: { inputmode: "numeric", maxlength: 10 } }),
      field(state, { bind: "door.new.building", path: "door.building", label: t("Building"), attrs: { maxlength: 10 } })),
    field(state, { bind: "door.new.common_name", path: "door.common_name", label: t("Common name (optional)"), attrs: { maxlength: 60 }, wide: true }),
    h("fieldset", { class: "choice" },
      h("legend", {}, t("Households at this door plate")),
      h("label", { class: "radio" }, h("input", { type: "radio", name: "roomMode", value: "courtyard", checked: state.roomMode !== "room", "data-action": "room-mode" }), h("span", {}, t("One household (courtyard or single house)"))),
      h("label", { class: "radio" }, h("input", { type: "radio", name: "roomMode", value: "room", checked: state.roomMode === "room", "data-action": "room-mode" }), h("span", {}, t("A room in a building")))),
    roomFields
  ]);
}

function photoSection(state, ctx) {
  const t = ctx.t;
  const thumbs = h("div", { class: "thumbs" });
  for (const cid of state.photos || []) {
    const url = ctx.photoUrl(cid);
    thumbs.appendChild(h("figure", { class: "thumb" },
      url ? h("img", { src: url, alt: t("Door plate photo") }) : h("span", { class: "muted" }, t("Photo")),
      h("button", { type: "button", class: "btn-x", "data-action": "photo-remove", "data-cid": cid, "aria-label": t("Remove photo") }, "×")));
  }
  const id = "photo-input";
  return section(t("Photos of the door plate"), "sec-photo", [
    thumbs,
    h("label", { class: "btn btn-secondary btn-block photo-btn", for: id }, t("Take a photo")),
    h("input", { id: id, class: "visually-hidden", type: "file", accept: "image/*", capture: "environment", "data-action": "photo-add", name: "photo" }),
    h("p", { class: "field-error", id: "photo-error", role: "alert", hidden: true })
  ]);
}

function houseSection(state, ctx) {
  const t = ctx.t;
  const house = state.house;
  const editing = !house.id || house.edit;
  const body = [];
  if (house.id) {
    body.push(h("p", { class: "muted" }, ctx.houseSummary(house.existing || {})));
    body.push(h("label", { class: "check" },
      h("input", { type: "checkbox", "data-action": "house-edit", checked: house.edit }), h("span", {}, t("The house details have changed"))));
  }
  if (editing) {
    const use = house.fields.use;
    const landlordOptions = (ctx.landlords || []).map(function (p) {
      return [String(p.id), p.name + (p.id_number ? " · " + p.id_number : "")];
    });
    body.push(h("div", { class: "grid2" },
      field(state, { bind: "house.fields.house_type", path: "house.house_type", label: t("House type"), type: "select", options: codes(ctx, "house_type"), required: true }),
      field(state, { bind: "house.fields.use", path: "house.use", label: t("Use"), type: "select", options: codes(ctx, "house_use"), required: true }),
      field(state, { bind: "house.fields.structure", path: "house.structure", label: t("Structure"), type: "select", options: codes(ctx, "house_structure") }),
      field(state, { bind: "house.fields.ownership", path: "house.ownership", label: t("Ownership"), type: "select", options: codes(ctx, "ownership") }),
      field(state, { bind: "house.fields.floors", path: "house.floors", label: t("Floors"), attrs: { inputmode: "numeric" } }),
      field(state, { bind: "house.fields.rooms", path: "house.rooms", label: t("Rooms"), attrs: { inputmode: "numeric" } }),
      field(state, { bind: "house.fields.area", path: "house.area", label: t("Area (m²)"), attrs: { inputmode: "decimal" } })));
    if (use === "rented") {
      body.push(h("div", { class: "grid2" },
        field(state, { bind: "house.fields.rental_mode", path: "house.rental_mode", label: t("Rental mode"), type: "select", options: codes(ctx, "rental_mode"), required: true }),
        field(state, { bind: "house.fields.landlord_id", path: "house.landlord", label: t("Landlord"), type: "select", options: landlordOptions, required: true, hint: t("Only a person already registered can be named as the landlord.") })));
    }
    body.push(h("details", { class: "more", open: !!(house.fields.owner_name || house.fields.owner_id_number || house.fields.owner_phone) },
      h("summary", {}, t("Owner")),
      field(state, { bind: "house.fields.owner_name", path: "house.owner_name", label: t("Owner name"), attrs: { maxlength: 40 } }),
      field(state, { bind: "house.fields.owner_id_number", path: "house.owner_id_number", label: t("Owner ID number"), attrs: { maxlength: 18, inputmode: "text", autocapitalize: "characters" } }),
      field(state, { bind: "house.fields.owner_phone", path: "house.owner_phone", label: t("Owner phone"), type: "tel", attrs: { inputmode: "tel", maxlength: 20 } })));
  }
  return section(t("House"), "sec-house", body);
}

function personCard(state, ctx, p, i) {
  const t = ctx.t;
  const base = "persons." + i;
  const divisions = ((ctx.work && ctx.work.divisions) || []);
  const listId = "divisions-list";
  const card = h("fieldset", { class: "person", "data-index": i },
    h("legend", {}, t("Person %(n)s", { n: i + 1 }), p.fields.name ? "：" + p.fields.name : ""),
    h("button", { type: "button", class: "btn-x", "data-action": "person-remove", "data-index": i, "aria-label": t("Remove this person") }, "×"),
    field(state, { bind: base + ".fields.name", path: base + ".name", label: t("Name"), required: true, attrs: { maxlength: 60, autocomplete: "off" } }),
    field(state, { bind: base + ".fields.id_number", path: base + ".id_number", label: t("ID number"), required: true, attrs: { maxlength: 18, inputmode: "text", autocapitalize: "characters", "data-role": "id-number", "data-index": i } }),
    h("div", { class: "grid2" },
      field(state, { bind: base + ".fields.sex", path: base + ".sex", label: t("Sex"), type: "select", options: codes(ctx, "sex"), required: true }),
      field(state, { bind: base + ".fields.birth_date", path: base + ".birth_date", label: t("Birth date"), type: "date" }),
      field(state, { bind: base + ".fields.ethnicity", path: base + ".ethnicity", label: t("Ethnicity"), type: "select", options: codes(ctx, "ethnicity") }),
      field(state, { bind: base + ".fields.phone", path: base + ".phone", label: t("Mobile or phone"), type: "tel", attrs: { inputmode: "tel", maxlength: 20 } })),
    field(state, { bind: base + ".residence.residence_type", path: base + ".residence_type", label: t("Residence type"), type: "select", options: ctx.boot.residence_types || codes(ctx, "residence_type"), required: true, wide: true }),
    field(state, { bind: base + ".residence.relation", path: base + ".relation", label: t("Relation to householder"), type: "select", options: codes(ctx, "relation"), wide: true }),
    field(state, { bind: base + ".fields.hukou_division_code", path: base + ".hukou_division_code", label: t("Hukou division code"), attrs: { inputmode: "numeric", maxlength: 12, list: listId }, hint: t("Filled in from the ID number; change it if the hukou has moved.") }),
    field(state, { bind: base + ".fields.hukou_address_text", path: base + ".hukou_address_text", label: t("Hukou address"), attrs: { maxlength: 200 }, wide: true }),
    h("details", { class: "more" },
      h("summary", {}, t("More")),
      h("div", { class: "grid2" },
        field(state, { bind: base + ".fields.id_type", path: base + ".id_type", label: t("Document type"), type: "select", options: codes(ctx, "id_type") }),
        field(state, { bind: base + ".residence.reason", path: base + ".reason", label: t("Reason for living here"), type: "select", options: codes(ctx, "residence_reason") }),
        field(state, { bind: base + ".residence.since", path: base + ".since", label: t("Living here since"), type: "date" }),
        field(state, { bind: base + ".fields.education", path: base + ".education", label: t("Education"), type: "select", options: codes(ctx, "education") }),
        field(state, { bind: base + ".fields.marital", path: base + ".marital", label: t("Marital status"), type: "select", options: codes(ctx, "marital") }),
        field(state, { bind: base + ".fields.occupation", path: base + ".occupation", label: t("Occupation"), attrs: { maxlength: 60 } }),
        field(state, { bind: base + ".fields.employer", path: base + ".employer", label: t("Employer"), attrs: { maxlength: 100 } }))));
  if (i === 0 && divisions.length) {
    card.appendChild(h("datalist", { id: listId }, divisions.map(function (d) { return h("option", { value: d.code }, d.name); })));
  }
  return card;
}

function personsSection(state, ctx) {
  const t = ctx.t;
  const existing = (ctx.existingPersons || []).map(function (p) {
    return h("li", {}, h("strong", {}, p.name), " ", h("span", { class: "muted" }, [p.id_number, p.phone].filter(Boolean).join(" · ")));
  });
  return section(t("People living here"), "sec-persons", [
    existing.length ? h("div", {}, h("p", { class: "muted" }, t("Already registered:")), h("ul", { class: "plain" }, existing)) : null,
    (state.persons || []).map(function (p, i) { return personCard(state, ctx, p, i); }),
    h("button", { type: "button", class: "btn btn-secondary btn-block", "data-action": "person-add" }, "＋ ", t("Add a person"))
  ]);
}

function unitCard(state, ctx, u, i) {
  const t = ctx.t;
  const base = "units." + i;
  return h("fieldset", { class: "unit", "data-index": i },
    h("legend", {}, t("Unit %(n)s", { n: i + 1 }), u.fields.name ? "：" + u.fields.name : ""),
    h("button", { type: "button", class: "btn-x", "data-action": "unit-remove", "data-index": i, "aria-label": t("Remove this unit") }, "×"),
    field(state, { bind: base + ".fields.name", path: base + ".name", label: t("Unit name"), required: true, attrs: { maxlength: 100 } }),
    h("div", { class: "grid2" },
      field(state, { bind: base + ".fields.category", path: base + ".category", label: t("Category"), type: "select", options: codes(ctx, "unit_category"), required: true }),
      field(state, { bind: base + ".fields.special_trade", path: base + ".special_trade", label: t("Special trade"), type: "select", options: codes(ctx, "special_trade") })),
    field(state, { bind: base + ".fields.credit_code", path: base + ".credit_code", label: t("Unified social credit code"), attrs: { maxlength: 18, autocapitalize: "characters" } }),
    field(state, { bind: base + ".fields.legal_rep_name", path: base + ".legal_rep_name", label: t("Legal representative"), attrs: { maxlength: 40 } }),
    field(state, { bind: base + ".fields.legal_rep_id_number", path: base + ".legal_rep_id_number", label: t("Legal representative's ID number"), attrs: { maxlength: 18, autocapitalize: "characters" } }),
    h("div", { class: "grid2" },
      field(state, { bind: base + ".fields.legal_rep_phone", path: base + ".legal_rep_phone", label: t("Legal representative's phone"), type: "tel", attrs: { inputmode: "tel", maxlength: 20 } }),
      field(state, { bind: base + ".fields.phone", path: base + ".phone", label: t("Unit phone"), type: "tel", attrs: { inputmode: "tel", maxlength: 20 } })));
}

function unitsSection(state, ctx) {
  const t = ctx.t;
  return section(t("Units at this address"), "sec-units", [
    h("p", { class: "muted" }, t("Shops, companies or workshops here, if any.")),
    (state.units || []).map(function (u, i) { return unitCard(state, ctx, u, i); }),
    h("button", { type: "button", class: "btn btn-secondary btn-block", "data-action": "unit-add" }, "＋ ", t("Add a unit"))
  ]);
}

export function renderCollectForm(state, ctx) {
  const t = ctx.t;
  const summary = h("ul", { class: "alert alert-error", id: "form-summary", hidden: true, role: "alert" });
  const form = h("form", { class: "collect-form", novalidate: true, autocomplete: "off" },
    summary,
    doorSection(state, ctx),
    photoSection(state, ctx),
    houseSection(state, ctx),
    personsSection(state, ctx),
    unitsSection(state, ctx),
    section(t("Note"), "sec-note", field(state, { bind: "note", path: "note", label: t("Note for the reviewer (optional)"), type: "textarea", maxlength: 500, wide: true })),
    h("div", { class: "sticky-actions" },
      h("button", { type: "button", class: "btn btn-ghost", "data-action": "cancel" }, t("Cancel")),
      h("button", { type: "submit", class: "btn btn-primary grow", "data-action": "save" }, t("Save to outbox"))));
  return form;
}

/* Fill sex, birth date and the hukou code from a well-formed ID number. */
export function fillFromId(form, state, index) {
  const p = state.persons[index];
  const read = readIdNumber(p.fields.id_number);
  if (!read) { return; }
  const set = function (bind, value) {
    setPath(state, bind, value);
    const input = form.querySelector('[data-bind="' + bind + '"]');
    if (input) { input.value = value; }
  };
  if (read.sex) { set("persons." + index + ".fields.sex", read.sex); }
  if (read.birthDate) { set("persons." + index + ".fields.birth_date", read.birthDate); }
  if (!p.fields.hukou_division_code) { set("persons." + index + ".fields.hukou_division_code", read.value.slice(0, 6)); }
}

/* Validate the whole household form; returns an Errors keyed like the server's errors. */
export function validateCollect(state, ctx) {
  const e = new Errors();
  const vctx = { codes: ctx.boot.codes || {}, countyCode: ctx.countyCode, residenceTypes: ctx.boot.residence_types };
  if (state.door && state.door.new) { e.merge(validateDoor(state.door.new), "door."); }
  if (state.room && state.room.new && state.roomMode === "room") { e.merge(validateRoom(state.room.new), "room."); }
  const house = state.house;
  if (!house.id || house.edit) {
    e.merge(validateHouse(house.fields, Object.assign({ landlordPresent: !!house.fields.landlord_id }, vctx)), "house.");
  }
  (state.persons || []).forEach(function (p, i) {
    e.merge(validatePerson(p.fields, p.residence, vctx), "persons." + i + ".");
  });
  (state.units || []).forEach(function (u, i) {
    e.merge(validateUnit(u.fields, vctx), "units." + i + ".");
  });
  return e;
}

function clean(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj || {})) {
    if (v === null || v === undefined) { continue; }
    const s = typeof v === "string" ? v.trim() : v;
    if (s === "") { continue; }
    out[k] = s;
  }
  return out;
}

function num(v) { return v === undefined || v === null || v === "" ? undefined : Number(v); }

/* The household payload of the contract from the form state. */
export function householdPayload(state, visitedAt) {
  const payload = {};
  if (state.door.id) {
    payload.door = { id: state.door.id, version: state.door.version };
  } else {
    const d = clean(state.door.new);
    d.road_id = Number(d.road_id);
    d.door_number = String(d.door_number || "");
    payload.door = { cid: state.door.cid, new: d };
  }
  if (state.room) {
    if (state.room.id) {
      payload.room = { id: state.room.id, version: state.room.version };
    } else if (state.roomMode === "room") {
      const r = clean(state.room.new);
      if (r.floor !== undefined) { r.floor = Number(r.floor); }
      payload.room = { cid: state.room.cid, new: r };
    }
  }
  const house = state.house;
  const fields = clean(house.fields);
  for (const k of ["floors", "rooms"]) { if (fields[k] !== undefined) { fields[k] = num(fields[k]); } }
  if (fields.area !== undefined) { fields.area = String(fields.area); }
  if (fields.owner_phone) { fields.owner_phone = normalizePhone(fields.owner_phone); }
  if (fields.owner_id_number) { fields.owner_id_number = normalise(fields.owner_id_number); }
  if (fields.use !== "rented") { delete fields.rental_mode; }
  delete fields.management_level;  // never sent: an edit would reset the officer's level
  if (fields.landlord_id !== undefined) { fields.landlord_id = Number(fields.landlord_id); }
  if (fields.use !== "rented") { delete fields.landlord_id; }
  if (house.id) {
    payload.house = { id: house.id, version: house.version };
    if (house.edit) { payload.house.fields = fields; }
  } else {
    payload.house = { cid: house.cid, fields: fields };
  }
  payload.persons = (state.persons || []).map(function (p) {
    const f = clean(p.fields);
    if (f.id_number) { f.id_number = normalise(f.id_number); }
    if (f.phone) { f.phone = normalizePhone(f.phone); }
    const out = { cid: p.cid, fields: f };
    const r = clean(p.residence);
    if (Object.keys(r).length) { out.residence = r; }
    return out;
  });
  if ((state.units || []).length) {
    payload.units = state.units.map(function (u) {
      const f = clean(u.fields);
      for (const k of ["legal_rep_id_number", "credit_code"]) { if (f[k]) { f[k] = normalise(f[k]); } }
      for (const k of ["legal_rep_phone", "phone"]) { if (f[k]) { f[k] = normalizePhone(f[k]); } }
      return { cid: u.cid, fields: f };
    });
  }
  payload.visit = { outcome: "collected", visited_at: visitedAt };
  if (state.photos && state.photos.length) { payload.photos = state.photos.slice(); }
  if (state.note && state.note.trim()) { payload.note = state.note.trim(); }
  return payload;
}

