/* The collector app's service worker (scope {{ scope }}), rendered by ybss.web.views.collect.

   Cache "ybss-collect-<version>", where <version> is a hash of the app's files: a deployment that
   changes any file installs a new worker that fills a new cache and deletes the old ones; an
   unchanged deployment keeps the phone's cache as it is.

   - the app page ({{ shell }}): network first (it carries the session's CSRF token and language),
     the cached copy when the network fails or takes too long; a redirect (signed out) is never
     cached;
   - the app's scripts, styles, icons and manifest: from the cache (they change only with the
     version);
   - everything else, the API included, goes to the network untouched: the page keeps its own data
     in IndexedDB and its own outbox. */

const VERSION = "{{ version }}";
const CACHE = "ybss-collect-" + VERSION;
const PREFIX = "ybss-collect-";
const SHELL = "{{ shell }}";
const PRECACHE = {{ precache|safe }};
const NETWORK_TIMEOUT = 5000;

self.addEventListener("install", function (event) {
  event.waitUntil((async function () {
    const cache = await caches.open(CACHE);
    await cache.addAll(PRECACHE.map(function (url) { return new Request(url, { cache: "reload" }); }));
    try {
      const resp = await fetch(SHELL, { credentials: "same-origin", cache: "reload", redirect: "follow" });
      if (resp.ok && !resp.redirected) { await cache.put(SHELL, resp); }
    } catch (e) { /* offline or signed out: the page stores itself on its next load */ }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", function (event) {
  event.waitUntil((async function () {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) { await caches.delete(name); }
    }
    await self.clients.claim();
  })());
});

function timeout(ms) {
  return new Promise(function (resolve, reject) { setTimeout(function () { reject(new Error("timeout")); }, ms); });
}

async function shell(request) {
  const cache = await caches.open(CACHE);
  try {
    const resp = await Promise.race([fetch(request), timeout(NETWORK_TIMEOUT)]);
    if (resp.ok && !resp.redirected && new URL(resp.url).pathname === SHELL) {
      await cache.put(SHELL, resp.clone());
    }
    return resp;
  } catch (e) {
    const cached = await cache.match(SHELL);
    if (cached) { return cached; }
    throw e;
  }
}

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) { return cached; }
  const resp = await fetch(request);
  if (resp.ok) { await cache.put(request, resp.clone()); }
  return resp;
}

const STATIC = new Set(PRECACHE);

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && (url.pathname === SHELL || url.pathname === SHELL.replace(/\/$/, ""))) {
    event.respondWith(shell(request));
  } else if (STATIC.has(url.pathname)) {
    event.respondWith(fromCache(request));
  }
});

self.addEventListener("message", function (event) {
  if (event.data === "version" && event.source) { event.source.postMessage({ version: VERSION }); }
});
