// The field app's service worker, served from /sw.js with the version and file list stamped in by the server.
// This issue: precache the shell under a versioned cache, drop old caches, answer field navigations with the
// shell when the network fails. The offline issue adds data caching; the outbox lives in the page, not here.
const VERSION = "{{V}}";
const FILES = ["{{FILES}}"];
const CACHE = `shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("shell-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// Background Sync: the outbox belongs to the page, so wake the open pages and let them send.
self.addEventListener("sync", (event) => {
  if (event.tag !== "outbox") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then((pages) => {
    for (const page of pages) page.postMessage("sync-outbox");
  }));
});

const FIELD = /^\/(app(\/|$)|z\/)/;

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && FIELD.test(url.pathname)) {
    // Network first (a signed-out phone is sent to sign in); the cached shell when there is no network.
    event.respondWith(fetch(request).catch(() => caches.match("/app")));
  } else if (url.pathname.startsWith("/pwa/")) {
    event.respondWith(caches.match(request, { ignoreSearch: !url.search }).then((hit) => hit || fetch(request)));
  }
});
