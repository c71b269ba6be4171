/* 入户采集: the collector's phone app (/m/). An installable, offline-first page:

   - the working set (GET /api/collection/work), the code lists (GET .../bootstrap) and today's
     plan (GET .../plan?date=) are cached in IndexedDB and refreshed whenever the phone is online;
   - every visit outcome and household collection is saved to the outbox first (IndexedDB) and
     sent by sync.js; nothing leaves the outbox before the server has answered for it;
   - the service worker (/m/sw.js) keeps the page and its scripts, so the app opens offline.

   Views (location hash): #/ today's households, #/item/<id> one household, #/visit/<id>/<outcome>,
   #/collect/<key> the household form (key: item-<id>, new, fix-<client id>), #/outbox, #/sent.
   Every word shown comes from the page's translated text (collect-text). */

import { openStore, uuid4 } from "./db.js";
import {
  downscale, fillFromId, getPath, h, householdPayload, messagesOf, renderCollectForm, setPath, showErrors, validateCollect
} from "./forms.js";
import { Client, HttpError, NEEDS_WORK, Outbox, SENT, WAITING } from "./sync.js";
import { localToday } from "./validate.js";

const CONFIG = JSON.parse(document.getElementById("collect-config").textContent);
const TEXT = JSON.parse(document.getElementById("collect-text").textContent);

export function t(key, params) {
  let s = Object.prototype.hasOwnProperty.call(TEXT, key) ? TEXT[key] : key;
  if (params) { s = s.replace(/%\((\w+)\)[sd]/g, function (m, k) { return params[k] !== undefined ? String(params[k]) : m; }); }
  return s;
}

const app = {
  store: null, client: null, outbox: null,
  boot: null, work: null, plan: null, fetchedAt: null,
  online: navigator.onLine, counts: { pending: 0, fix: 0, sent: 0 },
  photoUrls: new Map()
};

const $ = function (sel, root) { return (root || document).querySelector(sel); };
const view = function () { return $("#view"); };

/* Replace the screen's content (skipping the empty parts) and start reading at its top. */
function show() {
  const nodes = Array.prototype.slice.call(arguments).flat(Infinity).filter(function (n) { return n !== null && n !== undefined && n !== false; });
  view().replaceChildren.apply(view(), nodes);
}

// --- chrome: network pill, outbox counter, toasts ------------------------------------------------

function toast(message, kind) {
  const box = $("#toast");
  box.textContent = message;
  box.className = "toast show" + (kind ? " " + kind : "");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(function () { box.className = "toast"; }, 3500);
}

async function redrawChrome() {
  if (!app.outbox) { return; }
  app.counts = await app.outbox.counts();
  const net = $("#net");
  const unreachable = app.online && app.outbox.status.state === "error" && app.outbox.status.error === "network";
  net.dataset.state = !app.online ? "offline" : unreachable ? "unreachable" : "online";
  $("#net-label").textContent = !app.online ? t("Offline") : unreachable ? t("No server") : t("Online");
  $("#outbox-count").textContent = String(app.counts.pending);
  $("#outbox-count").dataset.count = String(app.counts.pending);
  $("#tab-outbox-count").textContent = app.counts.pending + app.counts.fix ? String(app.counts.pending + app.counts.fix) : "";
  const st = app.outbox.status;
  const btn = $("#sync-btn");
  btn.disabled = st.state === "syncing";
  btn.dataset.state = st.state;
  $("#sync-label").textContent = st.state === "syncing" ? t("Syncing…") : t("Sync");
  const banner = $("#login-banner");
  banner.hidden = !st.needLogin;
  const panel = $("#sync-status");
  if (panel) { panel.textContent = syncStatusText(); }
}

function syncStatusText() {
  const st = app.outbox.status;
  if (st.state === "syncing") { return t("Sending…"); }
  if (st.needLogin) { return t("Your sign-in has expired: sign in again and the outbox will be sent."); }
  if (st.state === "error") {
    return app.online ? t("The server could not be reached; trying again automatically.") : t("Offline: the outbox is sent automatically when the phone is online again.");
  }
  if (app.counts.pending) { return app.online ? t("Waiting to send.") : t("Offline: the outbox is sent automatically when the phone is online again."); }
  return st.at ? t("Everything has been sent (%(time)s).", { time: hm(st.at) }) : t("Nothing waiting to be sent.");
}

function setOnline(value) {
  app.online = value;
  redrawChrome();
  if (value && app.outbox) {
    app.outbox.failures = 0;
    app.outbox.sync().then(function () { return refresh(); });
  }
}

// --- formatting ------------------------------------------------------------------------------

function pad(n) { return String(n).padStart(2, "0"); }
function hm(iso) { if (!iso) { return ""; } const d = new Date(iso); return pad(d.getHours()) + ":" + pad(d.getMinutes()); }
function md(iso) { if (!iso) { return ""; } const d = new Date(iso); return (d.getMonth() + 1) + "/" + d.getDate() + " " + hm(iso); }
function label(list, value) { const f = (list || []).find(function (x) { return x[0] === value; }); return f ? f[1] : value || ""; }
function codeLabel(slug, value) { return label(app.boot && app.boot.codes && app.boot.codes[slug], value); }
function outcomeLabel(value) { return label(app.boot && app.boot.outcomes, value); }

// --- the working set --------------------------------------------------------------------------

async function loadCached() {
  app.boot = (await app.store.kv("bootstrap")) || null;
  app.work = (await app.store.kv("work")) || null;
  app.plan = (await app.store.kv("plan")) || null;
  app.fetchedAt = (await app.store.kv("fetched_at")) || null;
}

/* Fetch bootstrap, work and plan; keep the cached copies when offline. */
async function refresh() {
  if (!navigator.onLine) { return false; }
  try {
    const [boot, work] = await Promise.all([app.client.get("bootstrap"), app.client.get("work")]);
    let plan = null;
    try { plan = await app.client.get("plan", { date: localToday() }); } catch (e) { plan = null; }
    await app.store.setKv("bootstrap", boot);
    await app.store.setKv("work", work);
    await app.store.setKv("plan", plan);
    const at = new Date().toISOString();
    await app.store.setKv("fetched_at", at);
    Object.assign(app, { boot: boot, work: work, plan: plan, fetchedAt: at });
    app.outbox.refreshSent().catch(function () {});
    markReady();
    if (!editing()) { route(); }
    return true;
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) { app.outbox.status.needLogin = true; }
    redrawChrome();
    return false;
  }
}

function editing() { return /^#\/(collect|visit)\//.test(location.hash); }

function markReady() {
  if (!app.work || !app.boot) { return; }
  document.documentElement.dataset.workCached = "1";
  const done = function () { document.documentElement.dataset.offlineReady = "1"; };
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.ready.then(function () {
      if (navigator.serviceWorker.controller) { done(); } else {
        navigator.serviceWorker.addEventListener("controllerchange", done, { once: true });
      }
    });
  } else { done(); }
}

function allItems() {
  const out = [];
  for (const task of (app.work && app.work.tasks) || []) {
    (task.items || []).forEach(function (item, i) { out.push(Object.assign({ task: task, order: out.length, seq: i }, item)); });
  }
  return out;
}

function findItem(id) { return allItems().find(function (i) { return String(i.id) === String(id); }); }
function findDoor(id) { return ((app.work && app.work.doors) || []).find(function (d) { return d.id === id; }); }
function houseAt(addressId) { return ((app.work && app.work.houses) || []).find(function (x) { return x.address_id === addressId; }); }
function personsIn(houseId) { return ((app.work && app.work.persons) || []).filter(function (p) { return p.house_id === houseId; }); }

/* Today's plan as [{itemId, addressId, start, end}], whatever shape the plan API answers in. */
function planStops() {
  const p = app.plan;
  const list = Array.isArray(p) ? p : (p && (p.stops || p.items || p.visits || p.route || p.plan)) || [];
  return list.map(function (s) {
    if (typeof s !== "object" || s === null) { return { itemId: s }; }
    return {
      itemId: s.task_item_id !== undefined ? s.task_item_id : s.item_id !== undefined ? s.item_id : s.item,
      addressId: s.address_id !== undefined ? s.address_id : s.key,
      start: s.start || s.window_start || null,
      kind: s.kind_label || "",
      appointment: !!s.appointment
    };
  });
}

async function localOutcomes() {
  const map = new Map();
  for (const e of await app.outbox.entries()) {
    if (!e.sub.task_item_id) { continue; }
    const outcome = e.sub.kind === "household" ? "collected" : (e.sub.payload && e.sub.payload.outcome);
    map.set(String(e.sub.task_item_id), { outcome: outcome, state: e.state, at: e.saved_at });
  }
  return map;
}

const FINAL = new Set(["collected", "vacant", "demolished", "moved"]);
const REFRESH_EVERY = 15 * 60 * 1000;

// --- views -------------------------------------------------------------------------------------

async function viewToday() {
  if (!app.work || !app.boot) {
    show(h("div", { class: "card empty" },
      h("h1", {}, t("Today")),
      h("p", {}, app.online ? t("Loading the working set…") : t("The working set has not been downloaded yet. Connect to the network once to start."))));
    return;
  }
  const local = await localOutcomes();
  const stops = planStops();
  const planned = new Map();
  const items = allItems();
  const itemsAt = new Map();
  for (const item of items) { if (!item.done) { itemsAt.set(String(item.address_id), item); } }
  stops.forEach(function (s, i) {
    let id = s.itemId;
    if ((id === undefined || id === null) && s.addressId !== undefined && itemsAt.has(String(s.addressId))) { id = itemsAt.get(String(s.addressId)).id; }
    if (id !== undefined && id !== null && !planned.has(String(id))) { planned.set(String(id), Object.assign({ rank: i }, s)); }
  });
  const left = [], done = [];
  for (const item of items) {
    const mine = local.get(String(item.id));
    const finished = item.done || (mine && FINAL.has(mine.outcome));
    (finished ? done : left).push(item);
  }
  const byPlan = planned.size > 0;
  left.sort(function (a, b) {
    const pa = planned.get(String(a.id)), pb = planned.get(String(b.id));
    if (pa && pb) { return pa.rank - pb.rank; }
    if (pa || pb) { return pa ? -1 : 1; }
    return a.order - b.order;
  });
  const row = function (item) {
    const mine = local.get(String(item.id));
    const p = planned.get(String(item.id));
    const meta = [item.task.name];
    if (item.visits) { meta.push(t("%(n)s visits", { n: item.visits })); }
    if (item.outcome) { meta.push(outcomeLabel(item.outcome)); }
    return h("li", {},
      h("a", { class: "hh", href: "#/item/" + item.id, "data-item": item.id },
        h("span", { class: "hh-label" }, item.label),
        h("span", { class: "hh-meta" }, meta.join(" · ")),
        p && p.start ? h("span", { class: "plan-line" },
          h("span", { class: "badge plan" }, t("Visit at %(time)s", { time: hm(p.start) })),
          p.appointment ? h("span", { class: "badge warn" }, t("Appointment agreed")) : null,
          p.kind ? h("span", { class: "muted" }, p.kind) : null) : null,
        mine ? h("span", { class: "badge " + (WAITING.has(mine.state) ? "wait" : "ok") },
          outcomeLabel(mine.outcome) + " · " + (WAITING.has(mine.state) ? t("Waiting to send") : stateLabel(mine.state))) : null));
  };
  const total = items.length;
  show(
    h("div", { class: "summary card" },
      h("h1", {}, t("Today"), " ", h("small", {}, localToday())),
      h("p", { class: "big" }, t("%(left)s households left of %(total)s", { left: left.length, total: total })),
      h("p", { class: "muted" }, byPlan ? t("In the order of today's plan.") : t("In task order."),
        app.fetchedAt ? " " + t("Data from %(time)s.", { time: md(app.fetchedAt) }) : "")),
    left.length ? h("ol", { class: "households" }, left.map(row)) : h("p", { class: "card empty" }, t("No households left. Well done.")),
    done.length ? h("details", { class: "done-list" }, h("summary", {}, t("Finished (%(n)s)", { n: done.length })), h("ol", { class: "households" }, done.map(row))) : null,
    h("div", { class: "card tools" },
      h("a", { class: "btn btn-secondary", href: "#/collect/new", id: "new-door" }, "＋ ", t("New door plate")),
      h("button", { type: "button", class: "btn btn-ghost", id: "refresh-btn", onclick: async function () {
        if (!(await refresh())) { toast(app.online ? t("The server could not be reached; trying again automatically.") : t("Offline: showing the saved data."), "warn"); } else { toast(t("Data updated.")); }
      } }, "⟳ ", t("Refresh data")),
      h("button", { type: "button", class: "btn btn-ghost", onclick: toggleTheme }, "◐ ", t("Light / dark")),
      h("a", { class: "btn btn-ghost", href: CONFIG.urls.home }, t("Desktop version")),
      h("form", { method: "post", action: CONFIG.urls.logout, onsubmit: function (ev) {
        if (app.counts.pending && !confirm(t("%(n)s entries are still waiting to be sent. They stay on this phone and are sent after you sign in again. Sign out?", { n: app.counts.pending }))) { ev.preventDefault(); }
        ev.target.querySelector("[name=csrfmiddlewaretoken]").value = csrf();
      } }, h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: "" }), h("button", { type: "submit", class: "btn btn-ghost" }, t("Sign out"))))
  );
}

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : CONFIG.csrfToken;
}

function toggleTheme() {
  const next = document.documentElement.dataset.theme === "light" ? "dark" : "light";
  document.documentElement.dataset.theme = next;
  try { localStorage.setItem("ybss-collect-theme", next); } catch (e) { /* private mode */ }
}

async function viewItem(id) {
  const item = findItem(id);
  if (!item) { show(h("p", { class: "card empty" }, t("This household is not in your working set."))); return; }
  const door = findDoor(item.door_id);
  const house = houseAt(item.address_id);
  const persons = house ? personsIn(house.id) : [];
  const local = (await localOutcomes()).get(String(item.id));
  const outcomes = ((app.boot && app.boot.outcomes) || []).filter(function (o) { return o[0] !== "collected"; });
  show(
    h("div", { class: "card" },
      h("a", { class: "back", href: "#/" }, "‹ ", t("Today")),
      h("h1", {}, item.label),
      door && door.full_name !== item.label ? h("p", { class: "muted" }, door.full_name) : null,
      h("p", { class: "muted" }, item.task.name, item.visits ? " · " + t("%(n)s visits", { n: item.visits }) : "",
        item.outcome ? " · " + t("Last: %(outcome)s", { outcome: outcomeLabel(item.outcome) }) : ""),
      local ? h("p", { class: "badge " + (WAITING.has(local.state) ? "wait" : "ok") }, outcomeLabel(local.outcome) + " · " + (WAITING.has(local.state) ? t("Waiting to send") : stateLabel(local.state))) : null),
    house ? h("div", { class: "card" },
      h("h2", {}, t("House")), h("p", {}, houseSummary(house)),
      persons.length ? h("ul", { class: "plain" }, persons.map(function (p) {
        return h("li", {}, h("strong", {}, p.name), " ", h("span", { class: "muted" }, [codeLabel("relation", p.relation), p.id_number].filter(Boolean).join(" · ")));
      })) : h("p", { class: "muted" }, t("No one registered yet."))) : null,
    h("a", { class: "btn btn-primary btn-xl btn-block", href: "#/collect/item-" + item.id, id: "collect-btn" }, t("Collect this household")),
    h("h2", { class: "section-title" }, t("Or record the visit outcome")),
    h("div", { class: "outcomes" }, outcomes.map(function (o) {
      return h("a", { class: "btn btn-outcome", href: "#/visit/" + item.id + "/" + o[0], "data-outcome": o[0] }, o[1]);
    }))
  );
}

function houseSummary(house) {
  return [codeLabel("house_type", house.house_type), codeLabel("house_use", house.use),
    house.floors ? t("%(n)s floors", { n: house.floors }) : "", house.area ? house.area + " m²" : ""].filter(Boolean).join(" · ");
}

// GPS: asked when a form opens; the form can always be saved without it.
function locate() {
  return new Promise(function (resolve) {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      resolve({
        lat: Math.round(p.coords.latitude * 1e7) / 1e7,
        lng: Math.round(p.coords.longitude * 1e7) / 1e7,
        accuracy_m: Math.round(p.coords.accuracy)
      });
    }, function () { resolve(null); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
}

function gpsLine(fix) {
  const line = h("p", { class: "gps", id: "gps" }, "◎ ", t("Locating…"));
  fix.then(function (g) {
    line.textContent = g ? "◎ " + t("Location ±%(m)s m", { m: g.accuracy_m }) : "◎ " + t("No location (you can still save)");
    line.dataset.state = g ? "ok" : "none";
  });
  return line;
}

async function currentFix(fix) {
  const timeout = new Promise(function (resolve) { setTimeout(function () { resolve(null); }, 2000); });
  return (await Promise.race([fix, timeout])) || null;
}

function subBase(kind, startedAt, geo, taskItemId) {
  const now = new Date().toISOString();
  const sub = {
    client_id: uuid4(), kind: kind, created_at: now, started_at: startedAt, finished_at: now,
    lat: geo ? geo.lat : null, lng: geo ? geo.lng : null, accuracy_m: geo ? geo.accuracy_m : null
  };
  if (taskItemId) { sub.task_item_id = Number(taskItemId); }
  return sub;
}

async function viewVisit(itemId, outcome, fixEntry) {
  const item = findItem(itemId);
  if (!item) { show(h("p", { class: "card empty" }, t("This household is not in your working set."))); return; }
  const startedAt = fixEntry ? fixEntry.sub.started_at : new Date().toISOString();
  const fix = locate();
  const prev = fixEntry ? fixEntry.form : {};
  const availability = (app.boot && app.boot.availability) || [];
  const nobody = outcome === "nobody_home";
  const form = h("form", { class: "card visit-form", novalidate: true },
    h("a", { class: "back", href: "#/item/" + item.id }, "‹ ", item.label),
    h("h1", {}, outcomeLabel(outcome)),
    h("p", { class: "muted" }, item.label),
    gpsLine(fix),
    h("ul", { class: "alert alert-error", id: "form-summary", hidden: true, role: "alert" }),
    nobody ? h("fieldset", { class: "choice field", "data-path": "availability" },
      h("legend", {}, t("When is this household usually at home?")),
      availability.map(function (a) {
        return h("label", { class: "radio" }, h("input", { type: "radio", name: "availability", value: a[0], checked: (prev.availability || "unknown") === a[0] }), h("span", {}, a[1]));
      }),
      h("p", { class: "field-error", hidden: true })) : null,
    nobody ? h("fieldset", { class: "choice field", "data-path": "appointment" },
      h("legend", {}, t("Appointment slip")),
      h("label", { class: "radio" }, h("input", { type: "radio", name: "appt", value: "auto", checked: (prev.appt || "auto") === "auto" }), h("span", {}, t("Leave a slip; the system proposes the time"))),
      h("label", { class: "radio" }, h("input", { type: "radio", name: "appt", value: "agreed", checked: prev.appt === "agreed" }), h("span", {}, t("Leave a slip with a time agreed with the resident"))),
      h("label", { class: "radio" }, h("input", { type: "radio", name: "appt", value: "none", checked: prev.appt === "none" }), h("span", {}, t("No slip"))),
      h("div", { class: "grid3 appt-time" },
        h("div", { class: "field", "data-path": "appointment.window_start" }, h("label", { for: "appt-date" }, t("Date")), h("input", { id: "appt-date", type: "date", name: "appt_date", value: prev.date || "" }), h("p", { class: "field-error", hidden: true })),
        h("div", { class: "field" }, h("label", { for: "appt-from" }, t("Time from")), h("input", { id: "appt-from", type: "time", name: "appt_from", value: prev.from || "19:00" })),
        h("div", { class: "field", "data-path": "appointment.window_end" }, h("label", { for: "appt-to" }, t("Time to")), h("input", { id: "appt-to", type: "time", name: "appt_to", value: prev.to || "20:00" }), h("p", { class: "field-error", hidden: true }))),
      h("p", { class: "field-error", hidden: true })) : null,
    h("div", { class: "field", "data-path": "note" },
      h("label", { for: "visit-note" }, t("Note (optional)")),
      h("textarea", { id: "visit-note", name: "note", rows: 3, maxlength: 500 }, prev.note || ""),
      h("p", { class: "field-error", hidden: true })),
    h("div", { class: "sticky-actions" },
      h("a", { class: "btn btn-ghost", href: "#/item/" + item.id }, t("Cancel")),
      h("button", { type: "submit", class: "btn btn-primary grow" }, t("Save to outbox"))));
  show(form);
  if (fixEntry && fixEntry.errors) { showErrors(form, fixEntry.errors, $("#form-summary", form)); }
  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    const fd = new FormData(form);
    const state = {
      kind: "visit", itemId: item.id, outcome: outcome, availability: fd.get("availability") || "",
      appt: fd.get("appt") || "none", date: fd.get("appt_date") || "", from: fd.get("appt_from") || "", to: fd.get("appt_to") || "",
      note: (fd.get("note") || "").trim()
    };
    const errors = {};
    let appointment;
    if (nobody && state.appt === "agreed") {
      if (!state.date) { errors["appointment.window_start"] = [t("err.required")]; } else {
        const start = new Date(state.date + "T" + (state.from || "00:00"));
        const end = new Date(state.date + "T" + (state.to || "23:59"));
        if (!(end > start)) { errors["appointment.window_end"] = [t("The end must be after the start.")]; }
        appointment = { window_start: start.toISOString(), window_end: end.toISOString() };
      }
    } else if (nobody && state.appt === "auto") {
      appointment = {};
    }
    if (Object.keys(errors).length) { showErrors(form, errors, $("#form-summary", form)); return; }
    const geo = await currentFix(fix);
    const sub = subBase("visit", startedAt, geo, item.id);
    sub.payload = { address_id: item.address_id, outcome: outcome, visited_at: sub.finished_at };
    if (state.note) { sub.payload.note = state.note; }
    if (nobody && state.availability) { sub.payload.availability = state.availability; }
    if (appointment) { sub.payload.appointment = appointment; }
    await app.outbox.add({ sub: sub, label: item.label, form: state, photos: [] }, fixEntry && NEEDS_WORK.has(fixEntry.state) ? fixEntry.client_id : null);
    toast(t("Saved. It will be sent when online."));
    location.hash = "#/";
  });
}

// --- the household form --------------------------------------------------------------------------

function emptyPerson() {
  return { cid: uuid4(), fields: { id_type: "111", ethnicity: "01" }, residence: { residence_type: "" } };
}

function stateForItem(item) {
  const door = findDoor(item.door_id) || { id: item.door_id, version: null, full_name: item.label, rooms: [] };
  const room = item.address_id !== item.door_id ? (door.rooms || []).find(function (r) { return r.id === item.address_id; }) : null;
  const house = houseAt(item.address_id);
  return {
    mode: "item", itemId: item.id,
    door: { id: door.id, version: door.version, label: door.full_name },
    room: room ? { id: room.id, version: room.version, label: room.full_name } : null,
    roomMode: room ? "room" : "courtyard",
    house: house ? { id: house.id, version: house.version, edit: false, fields: houseFields(house), existing: house }
      : { cid: uuid4(), edit: true, fields: {} },
    persons: house ? [] : [emptyPerson()], units: [],
    photos: [], note: "", started_at: new Date().toISOString()
  };
}

function houseFields(house) {
  const f = {};
  for (const k of ["house_type", "use", "structure", "floors", "rooms", "area", "ownership", "rental_mode"]) {
    if (house[k] !== undefined && house[k] !== null) { f[k] = String(house[k]); }
  }
  return f;
}

function stateForNew() {
  return {
    mode: "new", door: { cid: uuid4(), new: { road_id: "", door_number: "" } },
    roomMode: "courtyard", room: { cid: uuid4(), new: {} },
    house: { cid: uuid4(), edit: true, fields: {} },
    persons: [emptyPerson()], units: [], photos: [], note: "", started_at: new Date().toISOString()
  };
}

async function photoUrls(cids) {
  for (const cid of cids) {
    if (app.photoUrls.has(cid)) { continue; }
    const p = await app.store.get("photos", cid);
    if (p && p.blob) { app.photoUrls.set(cid, URL.createObjectURL(p.blob)); }
  }
}

async function viewCollect(key) {
  let state, fixEntry = null, item = null;
  const draftKey = "draft:" + key;
  const draft = await app.store.kv(draftKey);
  if (key.startsWith("fix-")) {
    fixEntry = await app.store.get("outbox", key.slice(4));
    if (!fixEntry) { location.hash = "#/outbox"; return; }
    state = draft || JSON.parse(JSON.stringify(fixEntry.form));
    if (!draft) {
      state.started_at = new Date().toISOString();
      // A returned submission's new records are known to the server by their client ids: the
      // corrected one (which replaces it) names them afresh.
      if (SENT.has(fixEntry.state)) { freshIds(state); }
    }
  } else if (key === "new") {
    if (!app.work) { show(h("p", { class: "card empty" }, t("The working set has not been downloaded yet. Connect to the network once to start."))); return; }
    state = draft || stateForNew();
  } else {
    item = findItem(key.replace("item-", ""));
    if (!item) { show(h("p", { class: "card empty" }, t("This household is not in your working set."))); return; }
    state = draft || stateForItem(item);
  }
  if (state.itemId && !item) { item = findItem(state.itemId); }
  const fix = locate();
  let tried = !!(fixEntry && fixEntry.errors);
  const houseAddress = state.room && state.room.id ? state.room.id : state.door && state.door.id;
  const existingHouse = state.house && state.house.id ? state.house : null;
  const ctx = {
    t: t, boot: app.boot || { codes: {} }, work: app.work, countyCode: CONFIG.countyCode,
    photoUrl: function (cid) { return app.photoUrls.get(cid) || null; },
    houseSummary: houseSummary,
    landlords: (app.work && app.work.persons) || [],
    existingPersons: existingHouse ? personsIn(existingHouse.id) : (houseAddress && houseAt(houseAddress) ? personsIn(houseAt(houseAddress).id) : [])
  };
  let saveTimer = null;
  const saveDraft = function () {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(function () { app.store.setKv(draftKey, state); }, 400);
  };
  let form;
  const errorsNow = function () {
    const messages = messagesOf(validateCollect(state, ctx), t);
    return messages;
  };
  const render = async function (serverErrors) {
    await photoUrls(state.photos || []);
    const title = h("div", { class: "card form-head" },
      h("a", { class: "back", href: item ? "#/item/" + item.id : "#/" }, "‹ ", item ? item.label : t("Today")),
      h("h1", {}, fixEntry ? t("Correct and send again") : key === "new" ? t("New door plate") : t("Collect this household")),
      fixEntry && fixEntry.server && fixEntry.server.reason ? h("p", { class: "alert alert-warn" }, t("Returned by the reviewer: %(reason)s", { reason: fixEntry.server.reason })) : null,
      fixEntry && fixEntry.message && fixEntry.state === "rejected" ? h("p", { class: "alert alert-error" }, fixEntry.message) : null,
      gpsLine(fix));
    form = renderCollectForm(state, ctx);
    show(title, form);
    wire(form);
    if (serverErrors) { showErrors(form, serverErrors, $("#form-summary", form)); } else if (tried) { showErrors(form, errorsNow(), $("#form-summary", form)); }
  };
  const wire = function (f) {
    f.addEventListener("input", function (ev) {
      const bind = ev.target.getAttribute("data-bind");
      if (!bind) { return; }
      setPath(state, bind, ev.target.value);
      if (ev.target.dataset.role === "id-number") { fillFromId(f, state, Number(ev.target.dataset.index)); }
      saveDraft();
    });
    f.addEventListener("change", async function (ev) {
      const el = ev.target;
      const action = el.getAttribute("data-action");
      if (el.getAttribute("data-bind")) {
        setPath(state, el.getAttribute("data-bind"), el.value);
        saveDraft();
        if (el.getAttribute("data-bind") === "house.fields.use" || el.dataset.rerender) { await render(); return; }
        if (tried || el.dataset.role === "id-number") {
          const all = errorsNow();
          const path = el.name;
          const mine = {};
          if (tried) { Object.assign(mine, all); } else if (all[path]) { mine[path] = all[path]; }
          showErrors(f, mine, $("#form-summary", f));
        }
      }
      if (action === "room-mode") { state.roomMode = el.value; saveDraft(); await render(); }
      if (action === "house-edit") { state.house.edit = el.checked; saveDraft(); await render(); }
      if (action === "photo-add" && el.files && el.files[0]) { await addPhoto(el.files[0]); el.value = ""; }
    });
    f.addEventListener("click", async function (ev) {
      const btn = ev.target.closest("[data-action]");
      if (!btn) { return; }
      const action = btn.getAttribute("data-action");
      if (action === "person-add") { state.persons.push(emptyPerson()); saveDraft(); await render(); const cards = form.querySelectorAll(".person"); if (cards.length) { cards[cards.length - 1].scrollIntoView({ block: "start" }); } }
      if (action === "person-remove") { state.persons.splice(Number(btn.dataset.index), 1); saveDraft(); await render(); }
      if (action === "unit-add") { state.units = (state.units || []).concat([{ cid: uuid4(), fields: { biz_status: "open" } }]); saveDraft(); await render(); const cards = form.querySelectorAll(".unit"); if (cards.length) { cards[cards.length - 1].scrollIntoView({ block: "start" }); } }
      if (action === "unit-remove") { state.units.splice(Number(btn.dataset.index), 1); saveDraft(); await render(); }
      if (action === "photo-remove") {
        const cid = btn.dataset.cid;
        state.photos = state.photos.filter(function (c) { return c !== cid; });
        const owned = await app.store.get("photos", cid);
        if (owned && !owned.submission) { await app.store.del("photos", cid); }
        saveDraft();
        await render();
      }
      if (action === "cancel") {
        if (confirm(t("Discard this form? What you typed is lost."))) {
          for (const cid of state.photos || []) {
            const p = await app.store.get("photos", cid);
            if (p && !p.submission) { await app.store.del("photos", cid); }
          }
          await app.store.del("kv", draftKey);
          history.back();
        }
      }
    });
    f.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      await save();
    });
  };
  const addPhoto = async function (file) {
    const err = $("#photo-error", form);
    try {
      const small = await downscale(file, 1280, 0.85);
      const cid = uuid4();
      await app.store.put("photos", {
        client_id: cid, blob: small.blob, type: "image/jpeg", size: small.blob.size,
        width: small.width, height: small.height, created_at: new Date().toISOString(), uploaded: false, submission: null
      });
      state.photos = (state.photos || []).concat([cid]);
      saveDraft();
      await render();
    } catch (e) {
      err.textContent = t("This file is not a photo the phone can read.");
      err.hidden = false;
    }
  };
  const save = async function () {
    tried = true;
    const messages = errorsNow();
    const first = showErrors(form, messages, $("#form-summary", form));
    if (Object.keys(messages).length) {
      toast(t("Please correct the fields marked in red."), "error");
      if (first) { first.scrollIntoView({ block: "center" }); const input = first.querySelector("input, select, textarea"); if (input) { input.focus({ preventScroll: true }); } }
      return;
    }
    const geo = await currentFix(fix);
    if (state.door.new && geo && !state.door.new.lat) { state.door.new.lat = geo.lat; state.door.new.lng = geo.lng; }
    const sub = subBase("household", state.started_at, geo, state.itemId);
    sub.payload = householdPayload(state, sub.finished_at);
    if (fixEntry && SENT.has(fixEntry.state)) { sub.replaces = fixEntry.client_id; }
    const lbl = state.door.id ? (state.room && state.room.label) || state.door.label : newDoorLabel(state);
    await app.outbox.add({ sub: sub, label: lbl, form: state, photos: (state.photos || []).slice() },
      fixEntry && NEEDS_WORK.has(fixEntry.state) ? fixEntry.client_id : null);
    clearTimeout(saveTimer);
    await app.store.del("kv", draftKey);
    toast(t("Saved. It will be sent when online."));
    location.hash = "#/outbox";
  };
  await render(fixEntry && fixEntry.errors ? fixEntry.errors : null);
}

function freshIds(state) {
  for (const part of [state.door, state.room, state.house].concat(state.persons || [], state.units || [])) {
    if (part && part.cid) { part.cid = uuid4(); }
  }
}

function newDoorLabel(state) {
  const road = ((app.work && app.work.roads) || []).find(function (r) { return String(r.id) === String(state.door.new.road_id); });
  let s = t("%(road)s No. %(number)s", { road: road ? road.name : "", number: state.door.new.door_number || "" });
  if (state.roomMode === "room" && state.room && state.room.new) {
    const r = state.room.new;
    s += r.unit_no ? t(", unit %(unit)s room %(room)s", { unit: r.unit_no, room: r.room_no || "" }) : t(", room %(room)s", { room: r.room_no || "" });
  }
  return s;
}

// --- outbox and sent lists ----------------------------------------------------------------------

function stateLabel(state) {
  return {
    pending: t("Waiting to send"), invalid: t("Needs correcting"), rejected: t("Refused by the server"),
    sent: t("Submitted"), conflict: t("Conflict")
  }[state] || state;
}

function reviewLabel(server) {
  if (!server || !server.state) { return ""; }
  return server.state_label || {
    pending: t("Awaiting review"), conflict: t("Conflict: waiting for the officer"), passed: t("Passed"),
    returned: t("Returned"), voided: t("Voided as duplicate"), applied: t("Applied")
  }[server.state] || server.state;
}

function kindLabel(e) {
  if (e.sub.kind === "visit") { return outcomeLabel(e.sub.payload.outcome); }
  const n = (e.sub.payload.persons || []).length;
  return t("Household collection") + (n ? " · " + t("%(n)s people", { n: n }) : "");
}

function errorList(e) {
  const items = [];
  for (const [k, list] of Object.entries(e.errors || {})) { for (const m of list) { items.push(h("li", {}, m)); } }
  return items.length ? h("ul", { class: "errors" }, items) : null;
}

async function viewOutbox() {
  const entries = (await app.outbox.entries()).filter(function (e) { return !SENT.has(e.state); });
  show(
    h("div", { class: "card sync-panel" },
      h("h1", {}, t("Outbox")),
      h("p", { id: "sync-status", role: "status" }, syncStatusText()),
      h("button", { type: "button", class: "btn btn-primary btn-block", onclick: function () { app.outbox.failures = 0; app.outbox.sync(); } }, "⇅ ", t("Sync now"))),
    entries.length ? h("ol", { class: "entries" }, entries.map(function (e) {
      return h("li", { class: "entry card", "data-state": e.state, "data-client-id": e.client_id },
        h("div", { class: "entry-head" }, h("strong", {}, e.label || ""), h("span", { class: "badge " + (WAITING.has(e.state) ? "wait" : "bad") }, stateLabel(e.state))),
        h("p", { class: "muted" }, kindLabel(e), " · ", t("saved %(time)s", { time: md(e.saved_at) }),
          (e.photos || []).length ? " · " + t("%(n)s photos", { n: e.photos.length }) : "",
          e.attempts ? " · " + t("%(n)s tries", { n: e.attempts }) : ""),
        e.state === "invalid" ? h("p", { class: "alert alert-error" }, t("The server found mistakes: correct them and save again.")) : null,
        e.state === "invalid" ? errorList(e) : null,
        e.state === "rejected" ? h("p", { class: "alert alert-error" }, e.message || e.code) : null,
        NEEDS_WORK.has(e.state) ? h("div", { class: "row" },
          h("a", { class: "btn btn-primary", href: e.sub.kind === "visit" ? "#/visit/" + e.form.itemId + "/" + e.form.outcome + "/fix-" + e.client_id : "#/collect/fix-" + e.client_id }, t("Correct")),
          e.state === "rejected" ? h("button", { type: "button", class: "btn btn-ghost", onclick: async function () {
            if (confirm(t("Delete this entry from the phone?"))) { await app.outbox.discard(e.client_id); route(); }
          } }, t("Delete")) : null) : null);
    })) : h("p", { class: "card empty" }, t("The outbox is empty.")));
}

async function viewSent() {
  const entries = (await app.outbox.entries()).filter(function (e) { return SENT.has(e.state); }).reverse();
  if (navigator.onLine) { app.outbox.refreshSent().catch(function () {}); }
  show(
    h("div", { class: "card" }, h("h1", {}, t("Submitted")), h("p", { class: "muted" }, t("The review state is updated whenever the phone is online."))),
    entries.length ? h("ol", { class: "entries" }, entries.map(function (e) {
      const server = e.server || {};
      const conflict = e.state === "conflict" || server.state === "conflict";
      const appt = server.appointment;
      return h("li", { class: "entry card", "data-state": e.state, "data-review": server.state || "" },
        h("div", { class: "entry-head" }, h("strong", {}, e.label || ""),
          h("span", { class: "badge " + (conflict ? "warn" : server.state === "returned" ? "bad" : "ok") }, conflict ? t("Conflict") : t("Submitted"))),
        h("p", { class: "muted" }, kindLabel(e), " · ", md(e.saved_at)),
        reviewLabel(server) ? h("p", {}, t("Review: %(state)s", { state: reviewLabel(server) })) : null,
        conflict ? h("p", { class: "alert alert-warn" }, t("Someone changed this record since your data was downloaded. The officer will compare and decide (待民警处理).")) : null,
        server.reason ? h("p", { class: "alert alert-error" }, t("Reason: %(reason)s", { reason: server.reason })) : null,
        appt && appt.number ? h("p", {}, t("Appointment slip %(number)s", { number: appt.number }), " ",
          appt.slip_url || appt.token ? h("a", { href: appt.slip_url || "/a/" + appt.token + "/", target: "_blank", rel: "noopener" }, t("Open the slip")) : null) : null,
        server.state === "returned" && e.sub.kind === "household" ? h("a", { class: "btn btn-primary", href: "#/collect/fix-" + e.client_id }, t("Correct and send again")) : null);
    })) : h("p", { class: "card empty" }, t("Nothing submitted yet.")));
}

// --- routing -----------------------------------------------------------------------------------

async function route() {
  const hash = location.hash || "#/";
  const parts = hash.slice(2).split("/");
  document.querySelectorAll(".tabs a").forEach(function (a) {
    const tab = a.dataset.tab;
    const on = (tab === "today" && ["", "item", "visit", "collect"].includes(parts[0])) || tab === parts[0];
    if (on) { a.setAttribute("aria-current", "page"); } else { a.removeAttribute("aria-current"); }
  });
  try {
    if (parts[0] === "item") { await viewItem(parts[1]); } else if (parts[0] === "visit") {
      let fixEntry = null;
      if (parts[3] && parts[3].startsWith("fix-")) { fixEntry = await app.store.get("outbox", parts[3].slice(4)); }
      await viewVisit(parts[1], parts[2], fixEntry);
    } else if (parts[0] === "collect") { await viewCollect(decodeURIComponent(parts.slice(1).join("/"))); } else if (parts[0] === "outbox") { await viewOutbox(); } else if (parts[0] === "sent") { await viewSent(); } else { await viewToday(); }
  } catch (err) {
    view().replaceChildren(h("p", { class: "card alert alert-error" }, t("Something went wrong on this screen."), " ", String(err && err.message || err)));
    throw err;
  }
  redrawChrome();
}

// --- start ------------------------------------------------------------------------------------

async function registerWorker() {
  if (!("serviceWorker" in navigator)) { return; }
  const hadWorker = !!navigator.serviceWorker.controller;
  try {
    const reg = await navigator.serviceWorker.register(CONFIG.sw, { scope: CONFIG.scope });
    reg.addEventListener("updatefound", function () {
      const w = reg.installing;
      if (!w) { return; }
      w.addEventListener("statechange", function () {
        if (w.state === "activated" && hadWorker) { $("#update-banner").hidden = false; }
      });
    });
  } catch (e) { /* not a secure context: the app still works online */ }
}

async function start() {
  try {
    const theme = localStorage.getItem("ybss-collect-theme");
    if (theme) { document.documentElement.dataset.theme = theme; }
  } catch (e) { /* private mode */ }
  app.store = await openStore(CONFIG.userId);
  app.client = new Client(CONFIG);
  app.outbox = new Outbox(app.store, app.client, function () {
    redrawChrome();
    const hash = location.hash || "#/";
    if (hash === "#/outbox" || hash === "#/sent") { route(); }
  });
  if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }
  await loadCached();
  window.addEventListener("online", function () { setOnline(true); });
  window.addEventListener("offline", function () { setOnline(false); });
  window.addEventListener("hashchange", route);
  $("#sync-btn").addEventListener("click", function () { app.outbox.failures = 0; app.outbox.sync().then(function () { if (!editing()) { route(); } }); });
  $("#reload-btn").addEventListener("click", function () { location.reload(); });
  registerWorker();
  await route();
  markReady();
  if (navigator.onLine) { await refresh(); }
  app.outbox.sync();
  // Keep the working set fresh while the app stays open (not while a form is being filled in).
  setInterval(function () { if (navigator.onLine && !editing()) { refresh(); } }, REFRESH_EVERY);
  document.documentElement.dataset.appStarted = "1";
}

window.ybssCollect = { app: app, sync: function () { return app.outbox.sync(); } };
start();
