/* A small promise wrapper over IndexedDB, and the phone's stores.

   One database per signed-in user ("ybss-collect-<user id>"), so two collectors sharing a phone
   never send each other's work. Stores:
   - kv:      cached server data by key ("bootstrap", "work", "plan", "submissions", "meta", drafts)
   - outbox:  one entry per submission, keyed by its client id; it is only ever deleted after the
              server has answered for it (or the collector discards a rejected one)
   - photos:  door-plate photos as Blobs (downscaled JPEG), keyed by the photo's client id */

const VERSION = 1;

function done(request) {
  return new Promise(function (resolve, reject) {
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
}

export class Store {
  constructor(db) { this.db = db; }

  /* Run ``fn(tx)`` in one transaction over ``names``; resolves with fn's result once committed. */
  run(names, mode, fn) {
    const db = this.db;
    return new Promise(function (resolve, reject) {
      const tx = db.transaction(names, mode);
      let result;
      tx.oncomplete = function () { resolve(result); };
      tx.onabort = tx.onerror = function () { reject(tx.error || new Error("transaction aborted")); };
      Promise.resolve(fn(tx)).then(function (r) { result = r; }, function (e) { tx.abort(); reject(e); });
    });
  }

  get(name, key) {
    return this.run([name], "readonly", function (tx) { return done(tx.objectStore(name).get(key)); });
  }

  all(name) {
    return this.run([name], "readonly", function (tx) { return done(tx.objectStore(name).getAll()); });
  }

  put(name, value, key) {
    return this.run([name], "readwrite", function (tx) {
      const s = tx.objectStore(name);
      return done(key === undefined ? s.put(value) : s.put(value, key));
    });
  }

  del(name, key) {
    return this.run([name], "readwrite", function (tx) { return done(tx.objectStore(name).delete(key)); });
  }

  /* Read-modify-write of one record in one transaction; ``fn(old)`` returns the new value
     (undefined: leave it, null: delete it). */
  update(name, key, fn) {
    return this.run([name], "readwrite", function (tx) {
      const s = tx.objectStore(name);
      return done(s.get(key)).then(function (old) {
        const value = fn(old);
        if (value === undefined) { return old; }
        if (value === null) { return done(s.delete(key)).then(function () { return null; }); }
        return done(s.keyPath === null ? s.put(value, key) : s.put(value)).then(function () { return value; });
      });
    });
  }

  kv(key) { return this.get("kv", key); }
  setKv(key, value) { return this.put("kv", value, key); }
}

export function openStore(userId) {
  const request = indexedDB.open("ybss-collect-" + userId, VERSION);
  request.onupgradeneeded = function () {
    const db = request.result;
    if (!db.objectStoreNames.contains("kv")) { db.createObjectStore("kv"); }
    if (!db.objectStoreNames.contains("outbox")) {
      const outbox = db.createObjectStore("outbox", { keyPath: "client_id" });
      outbox.createIndex("state", "state");
    }
    if (!db.objectStoreNames.contains("photos")) { db.createObjectStore("photos", { keyPath: "client_id" }); }
  };
  return done(request).then(function (db) {
    db.onversionchange = function () { db.close(); };
    return new Store(db);
  });
}

/* A uuid4: crypto.randomUUID where the page is a secure context, else from getRandomValues. */
export function uuid4() {
  if (crypto.randomUUID) { return crypto.randomUUID(); }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
  return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
}
