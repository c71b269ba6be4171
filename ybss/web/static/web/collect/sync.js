/* Talking to the server: the cached working set, and the outbox.

   The outbox syncs when the phone comes online, every so often while it has work (backing off
   after failures: 5 s, 10 s, 20 s … at most 5 min), and when the collector presses 同步.
   One round: photos first (POST /photos, idempotent on the photo's client id), then the
   submissions whose photos are all on the server, in the order they were saved, in batches
   (POST /sync). Each answer updates its entry:
     accepted / duplicate → "sent" (kept in the sent list, which shows the review state)
     conflict             → "conflict" (stored on the server; the officer decides)
     invalid              → "invalid" (back to the collector, field errors kept for the form)
     rejected             → "rejected" (shown with the server's message)
   An entry the server did not answer for (network error, timeout, a dropped response) stays
   "pending" and is sent again with the same client id; the server answers "duplicate" if it had
   already stored it, so nothing is applied twice and nothing is lost. */

import { uuid4 } from "./db.js";

const BATCH = 50;
const MIN_DELAY = 5000;
const MAX_DELAY = 300000;
const TIMEOUT = 30000;

export const PENDING = "pending";
export const WAITING = new Set([PENDING]);
export const NEEDS_WORK = new Set(["invalid", "rejected"]);
export const SENT = new Set(["sent", "conflict"]);
/* Review states after which nothing more happens to a submission. */
const SETTLED = new Set(["passed", "applied", "voided"]);
const KEEP_SETTLED_DAYS = 30;

export class HttpError extends Error {
  constructor(status, body) {
    super("HTTP " + status);
    this.status = status;
    this.body = body || {};
  }
}

function cookie(name) {
  const m = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
  return m ? decodeURIComponent(m[1]) : "";
}

export class Client {
  /* ``config``: the page's collect-config (api URLs, csrf token, app version). */
  constructor(config) {
    this.config = config;
  }

  async request(method, url, body, isForm) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["X-CSRFToken"] = cookie("csrftoken") || this.config.csrfToken;
      if (!isForm) { headers["Content-Type"] = "application/json"; }
    }
    const ctrl = new AbortController();
    const timer = setTimeout(function () { ctrl.abort(); }, TIMEOUT);
    let resp;
    try {
      resp = await fetch(url, {
        method: method,
        headers: headers,
        body: isForm ? body : (body === undefined ? undefined : JSON.stringify(body)),
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
        signal: ctrl.signal
      });
    } finally {
      clearTimeout(timer);
    }
    if (resp.type === "opaqueredirect") { throw new HttpError(401, { code: "unauthenticated" }); }
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    if (!resp.ok) { throw new HttpError(resp.status, data); }
    return data;
  }

  get(name, params) {
    let url = this.config.api[name];
    if (params) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) { if (v !== null && v !== undefined && v !== "") { q.set(k, v); } }
      if ([...q].length) { url += (url.includes("?") ? "&" : "?") + q.toString(); }
    }
    return this.request("GET", url);
  }

  post(name, body) { return this.request("POST", this.config.api[name], body); }

  upload(name, form) { return this.request("POST", this.config.api[name], form, true); }
}

function device() { return (navigator.userAgent || "").slice(0, 200); }

/* The outbox and its sync loop. ``onChange`` is called whenever an entry or the sync status
   changes (the page redraws its counters). */
export class Outbox {
  constructor(store, client, onChange) {
    this.store = store;
    this.client = client;
    this.onChange = onChange || function () {};
    this.failures = 0;
    this.timer = null;
    this.running = null;
    this.status = { state: "idle", at: null, error: null, needLogin: false };
  }

  async entries() {
    const all = await this.store.all("outbox");
    return all.sort(function (a, b) { return a.seq - b.seq; });
  }

  async counts() {
    const all = await this.store.all("outbox");
    const c = { pending: 0, fix: 0, sent: 0 };
    for (const e of all) {
      if (WAITING.has(e.state)) { c.pending++; } else if (NEEDS_WORK.has(e.state)) { c.fix++; } else { c.sent++; }
    }
    return c;
  }

  /* Put a submission in the outbox. ``entry``: {sub, label, form, photos, replacesEntry?}.
     When it replaces an entry that was never stored on the server (invalid, rejected or a draft
     of a pending one), that entry is removed in the same transaction. */
  async add(entry, replacing) {
    const seqBase = Date.now() * 1000;
    const record = Object.assign({
      state: PENDING,
      seq: seqBase + Math.floor(Math.random() * 1000),
      saved_at: new Date().toISOString(),
      attempts: 0,
      result: null,
      errors: null,
      message: ""
    }, entry);
    record.client_id = record.sub.client_id;
    await this.store.run(["outbox", "photos"], "readwrite", function (tx) {
      const outbox = tx.objectStore("outbox");
      if (replacing) { outbox.delete(replacing); }
      outbox.put(record);
      const photos = tx.objectStore("photos");
      for (const cid of record.photos || []) {
        const req = photos.get(cid);
        req.onsuccess = function () {
          if (req.result) { req.result.submission = record.client_id; photos.put(req.result); }
        };
      }
    });
    this.onChange();
    this.soon();
    return record;
  }

  async discard(clientId) {
    const entry = await this.store.get("outbox", clientId);
    if (!entry || WAITING.has(entry.state)) { return; }  // a pending entry is never dropped
    await this.store.run(["outbox", "photos"], "readwrite", function (tx) {
      tx.objectStore("outbox").delete(clientId);
      for (const cid of entry.photos || []) { tx.objectStore("photos").delete(cid); }
    });
    this.onChange();
  }

  /* Sync now (the 同步 button, the online event); a second call while one runs waits for it. */
  sync() {
    if (this.running) { return this.running; }
    const self = this;
    const run = function () { return self._round(); };
    this.running = (navigator.locks ? navigator.locks.request("ybss-collect-sync", run) : run())
      .finally(function () { self.running = null; });
    return this.running;
  }

  /* Schedule a round after the current back-off delay (or right away after a success). */
  soon(delay) {
    clearTimeout(this.timer);
    const self = this;
    const wait = delay !== undefined ? delay : 300;
    this.timer = setTimeout(function () { self.sync(); }, wait);
  }

  backoff() {
    const base = Math.min(MAX_DELAY, MIN_DELAY * Math.pow(2, Math.max(0, this.failures - 1)));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  async _round() {
    clearTimeout(this.timer);
    const waiting = (await this.entries()).filter(function (e) { return WAITING.has(e.state); });
    if (!waiting.length) {
      this.status = Object.assign({}, this.status, { state: "idle", error: null });
      this.onChange();
      return;
    }
    this.status = Object.assign({}, this.status, { state: "syncing" });
    this.onChange();
    try {
      const ready = await this._uploadPhotos(waiting);
      await this._send(ready);
      this.failures = 0;
      this.status = { state: "idle", at: new Date().toISOString(), error: null, needLogin: false };
      const left = (await this.entries()).filter(function (e) { return WAITING.has(e.state); });
      if (left.length) { this.soon(this.backoff()); }
    } catch (err) {
      this.failures += 1;
      const needLogin = err instanceof HttpError && err.status === 401;
      this.status = {
        state: "error", at: new Date().toISOString(), needLogin: needLogin,
        error: err instanceof HttpError ? (err.body && err.body.code) || "http_" + err.status : "network"
      };
      this.soon(this.backoff());
    }
    this.onChange();
  }

  /* Upload the photos of the waiting entries; returns the entries whose photos are all on the
     server. A photo the server refuses (not an image) marks its entry for the collector. */
  async _uploadPhotos(entries) {
    const ready = [];
    for (const entry of entries) {
      let ok = true;
      for (const cid of entry.photos || []) {
        const photo = await this.store.get("photos", cid);
        if (!photo || photo.uploaded) { continue; }
        const form = new FormData();
        form.append("client_id", cid);
        form.append("file", photo.blob, "door-" + cid.slice(0, 8) + ".jpg");
        try {
          const res = await this.client.upload("photos", form);
          await this.store.update("photos", cid, function (p) {
            if (!p) { return undefined; }
            return Object.assign(p, { uploaded: true, server_id: res && res.id, sha256: res && res.sha256, error: null });
          });
        } catch (err) {
          if (err instanceof HttpError && err.status >= 400 && err.status < 500 && ![401, 403, 408, 409, 429].includes(err.status)) {
            ok = false;
            await this.store.update("outbox", entry.client_id, function (e) {
              if (!e || !WAITING.has(e.state)) { return undefined; }
              return Object.assign(e, {
                state: "rejected", message: (err.body && err.body.message) || "", code: "photo." + ((err.body && err.body.code) || err.status)
              });
            });
            break;
          }
          throw err;
        }
      }
      if (ok) { ready.push(entry); }
    }
    return ready;
  }

  async _send(entries) {
    for (let i = 0; i < entries.length; i += BATCH) {
      const batch = entries.slice(i, i + BATCH);
      await this.store.run(["outbox"], "readwrite", function (tx) {
        const s = tx.objectStore("outbox");
        for (const e of batch) { e.attempts = (e.attempts || 0) + 1; e.last_try = new Date().toISOString(); s.put(e); }
      });
      const body = {
        device: device(),
        app_version: this.client.config.appVersion,
        submissions: batch.map(function (e) { return e.sub; })
      };
      const answer = await this.client.post("sync", body);
      await this.apply((answer && answer.results) || []);
    }
  }

  /* Record the server's answers (one per client id) on the outbox entries. */
  async apply(results) {
    const store = this.store;
    const sentPhotos = [];
    await store.run(["outbox"], "readwrite", function (tx) {
      const s = tx.objectStore("outbox");
      return Promise.all(results.map(function (r) {
        return new Promise(function (resolve) {
          const req = s.get(r.client_id);
          req.onsuccess = function () {
            const e = req.result;
            if (!e) { resolve(); return; }
            const server = { submission_id: r.submission_id || null, state: r.state || "", status: r.status };
            if (r.appointment) { server.appointment = r.appointment; }
            if (r.status === "accepted" || r.status === "duplicate") {
              Object.assign(e, { state: "sent", server: server, errors: null, message: r.message || "", answered_at: new Date().toISOString() });
              sentPhotos.push.apply(sentPhotos, e.photos || []);
            } else if (r.status === "conflict") {
              Object.assign(e, { state: "conflict", server: server, errors: null, message: r.message || "", answered_at: new Date().toISOString() });
              sentPhotos.push.apply(sentPhotos, e.photos || []);
            } else if (r.status === "invalid") {
              Object.assign(e, { state: "invalid", errors: r.errors || {}, code: r.code || "invalid", message: r.message || "" });
            } else if (r.status === "rejected") {
              Object.assign(e, { state: "rejected", code: r.code || "rejected", message: r.message || "" });
            } else {
              resolve();
              return;  // an answer we do not know: keep the entry waiting
            }
            s.put(e);
            resolve();
          };
          req.onerror = function () { resolve(); };
        });
      }));
    });
    // The server holds the photos of stored submissions: free the phone's space, keep the record.
    for (const cid of sentPhotos) {
      await store.update("photos", cid, function (p) { return p ? Object.assign(p, { blob: null, sent: true }) : undefined; });
    }
    this.onChange();
  }

  /* Update the review state of sent entries from GET /submissions. */
  async refreshSent() {
    const sent = (await this.entries()).filter(function (e) { return SENT.has(e.state); });
    if (!sent.length) { return; }
    const since = sent.reduce(function (m, e) { return e.saved_at < m ? e.saved_at : m; }, sent[0].saved_at);
    const body = await this.client.get("submissions", { since: new Date(Date.parse(since) - 86400000).toISOString() });
    const items = Array.isArray(body) ? body : (body && (body.items || body.submissions || body.results)) || [];
    const byId = new Map(items.map(function (s) { return [String(s.client_id), s]; }));
    await this.store.run(["outbox", "photos"], "readwrite", function (tx) {
      const s = tx.objectStore("outbox");
      for (const e of sent) {
        const item = byId.get(e.client_id);
        if (!item) { continue; }
        e.server = Object.assign({}, e.server || {}, {
          submission_id: item.id || item.submission_id || (e.server && e.server.submission_id) || null,
          state: item.state || "",
          state_label: item.state_label || item.state_display || "",
          reason: item.review_reason || item.reason || ""
        });
        if (e.state === "conflict" && item.state && item.state !== "conflict") { e.state = "sent"; }
        s.put(e);
      }
      // Settled entries are kept a month for the collector to look back on, then dropped.
      const cutoff = new Date(Date.now() - KEEP_SETTLED_DAYS * 86400000).toISOString();
      for (const e of sent) {
        if (SETTLED.has(e.server && e.server.state) && e.saved_at < cutoff) {
          s.delete(e.client_id);
          for (const cid of e.photos || []) { tx.objectStore("photos").delete(cid); }
        }
      }
    });
    this.onChange();
  }
}

export function newClientId() { return uuid4(); }
