// The field app's service worker, served from /sw.js with the version and file list stamped in by the server.
// The shell is precached under a versioned cache (old ones dropped on activate); field navigations get the
// cached shell first, other pages the network and, failing it, an offline page; the data the field app needs
// offline (session, words, categories, the zone directory, the user's tasks, round and notifications) is cached
// network-first (revalidated with the ETag of the copy kept: 304, no body, when it is current), and dropped when
// the server says the phone's user changed or signed out. Vendored
// libraries (pwa/vendor/, needed by some phones only) are not precached: they are cached when first fetched,
// in a cache of their own that outlives app releases (it changes only when pwa/vendor/ does).
// The outbox lives in the page, not here: Background Sync asks the open pages to send it.
const VERSION = "{{V}}";
const VENDOR = `vendor-${"{{VENDOR_V}}"}`;
const FILES = ["{{FILES}}"];
const SHELL = "/app?shell=1";
const OFFLINE = `/pwa/offline.html?v=${VERSION}`;
const CACHE = `shell-${VERSION}`;
const DATA = "data-v1";
const FIELD = /^\/(app(\/|$)|z\/)/;  // the field app's pages (the rest of the site is the desk)
// Modules a phone needs only at times (a special inspection's checklist, during a campaign) or only on some
// phones (the QR decoder's worker, where the browser has no BarcodeDetector: qr.js warms it with the decoder):
// left out of the precache, so a first load does not download them; kept in the shell's cache when first loaded.
const LAZY = /^\/pwa\/js\/(screens\/checklist|qr-worker)\.js(\?|$)/;
const DATA_PATHS = new RegExp("^/api/v1/(session|i18n|categories|zones|me/tasks|me/today|hazards/transitions|"
  + "campaigns/active|"
  + "notifications|zones/by-(token|code)/[^/]+|zones/\\d+/hazards|hazards/\\d+)$");
// Reference data (words, categories, the zone directory, the rules) changes seldom: revalidated once per run
// of this worker, and again after this phone changed anything (a language switch, a desk edit), not at every
// screen (issue 12: a reload was eight requests). A worker runs for one visit or so; the next one asks again.
const REFERENCE = /^\/api\/v1\/(i18n|categories|zones|hazards\/transitions)$/;
const revalidated = new Set();
// The zone directory: a phone that keeps it asks only for the changes since its version (issue 12: a district's
// 500 zones are 17 kB on the wire) and applies them to its copy.
const DIRECTORY = "/api/v1/zones";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES.filter((file) => !LAZY.test(file))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if ((name.startsWith("shell-") && name !== CACHE) || (name.startsWith("vendor-") && name !== VENDOR)) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

// A page that loaded while this worker activated was no client when it claimed them: it asks (app.js).
self.addEventListener("message", (event) => {
  if (event.data === "claim") event.waitUntil(self.clients.claim());
});

// Background Sync: the browser fires "outbox" when the connection is back, and the worker tells the app's open
// tabs to send (the outbox belongs to the page). It does not wait for them: an event held open keeps this
// worker busy, and a new release cannot take over behind it. Each tab retries on its own backoff; with no tab
// of the app open nothing is sent here, and the records go when the app is next opened.
self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(askPagesToSend());
});

// Ask every open tab of the field app to run its outbox; resolve how many were asked.
async function askPagesToSend() {
  const windows = await self.clients.matchAll({ type: "window" });
  const pages = windows.filter((page) => FIELD.test(new URL(page.url).pathname));
  for (const page of pages) page.postMessage("sync-outbox");
  return pages.length;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Signing out anywhere (the desk's button too): the next person on this phone must not see this one's data.
  if (request.method === "POST" && url.pathname === "/logout") event.waitUntil(caches.delete(DATA));
  if (request.method !== "GET") {
    revalidated.clear();
    return;
  }
  if (request.mode === "navigate" && FIELD.test(url.pathname)) {
    // The field app opens from the cached shell at once, signal or not: a network-first navigation on a weak
    // signal (a stairwell, a basement) waits for the network to give up. The shell holds no data; its script
    // asks the session and sends a signed-out phone to sign in. A new release installs beside it and the
    // page offers to reload.
    event.respondWith(caches.match(SHELL, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
  } else if (request.mode === "navigate") {
    // A desk page needs the server; with no network, a page that says so and leads to the field app.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE, { cacheName: CACHE })));
  } else if (url.pathname.startsWith("/pwa/vendor/")) {
    event.respondWith(cacheFirst(request, VENDOR, { ignoreSearch: true }));
  } else if (LAZY.test(url.pathname)) {
    event.respondWith(cacheFirst(request, CACHE));
  } else if (isData(url)) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith("/pwa/")) {
    event.respondWith(caches.match(request, { ignoreSearch: !url.search }).then((hit) => hit || fetch(request)));
  }
});

async function cacheFirst(request, name, { ignoreSearch = false } = {}) {
  const cache = await caches.open(name);
  const hit = await cache.match(request, { ignoreSearch });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// The field data the worker keeps (a fresh CSRF token, ?fresh, is never kept nor answered from here).
function isData(url) {
  return DATA_PATHS.test(url.pathname) && !url.searchParams.has("fresh");
}

async function networkFirst(request) {
  const kept = await caches.match(request, { cacheName: DATA });
  const { pathname } = new URL(request.url);
  if (kept && revalidated.has(pathname)) return kept;
  const known = await zoneFromCurrentDirectory(new URL(request.url));
  if (known) return known;
  try {
    if (pathname === DIRECTORY && kept) return await directoryUpdated(request, kept);
    const response = await fetch(revalidating(request, kept));
    if (response.status === 304 && kept) {  // the server says the copy kept here is current
      if (REFERENCE.test(pathname)) revalidated.add(pathname);
      return kept;
    }
    if (response.ok) await keep(request, response.clone());
    return response;
  } catch (error) {
    if (kept) return kept;
    const derived = (await zoneFromDirectory(new URL(request.url))) || (await unreadFromList(new URL(request.url)));
    if (derived) return derived;
    throw error;
  }
}

// The unread count with no signal when only the notifications themselves are kept (a first visit asks the
// list, app.js askUnread): counted from them.
async function unreadFromList(url) {
  if (url.pathname !== "/api/v1/notifications" || !url.searchParams.has("unread")) return null;
  const list = await caches.match("/api/v1/notifications", { cacheName: DATA });
  if (!list) return null;
  const { unread, notifications } = await list.json();
  const limit = Number(url.searchParams.get("limit")) || notifications.length;
  return new Response(JSON.stringify({ unread, notifications: notifications.filter((n) => !n.read_at).slice(0, limit) }),
                      { headers: { "Content-Type": "application/json" } });
}

// Keep an answer (for a request or a path), before the page has it: when the app says it is ready offline, it
// is (a small JSON).
async function keep(request, response) {
  const { pathname } = new URL(request.url ?? request, self.location.origin);
  if (pathname === "/api/v1/session") await forgetOtherUser(response.clone());
  await (await caches.open(DATA)).put(request, response);
  if (REFERENCE.test(pathname)) revalidated.add(pathname);
}

// A first visit: the page read its opening data before this worker controlled it and hands the answers over
// (api.js handOver), so they are not fetched again. Replies with the paths kept; the session goes first, as
// it decides whether what is kept already belongs to this phone's person.
self.addEventListener("message", (event) => {
  if (!Array.isArray(event.data?.keep)) return;
  event.waitUntil((async () => {
    const wanted = event.data.keep.filter(([path]) => isData(new URL(path, self.location.origin)));
    wanted.sort(([a], [b]) => (b === "/api/v1/session") - (a === "/api/v1/session"));
    for (const [path, body, tag, type] of wanted) {
      await keep(path, new Response(body, { headers: { "Content-Type": type, ...(tag ? { ETag: tag } : {}) } }));
    }
    event.ports[0]?.postMessage(wanted.map(([path]) => path));
  })());
});

// The request, asking with the validator of the copy kept here (If-None-Match): the server answers 304 with no
// body when the phone has the data already. The browser's HTTP cache cannot be relied on for it: the server's
// answers name the session cookie in Vary. A request with a validator of
// its own passes by the HTTP cache, so the 304 reaches this worker.
function revalidating(request, kept) {
  const tag = kept?.headers.get("ETag");
  if (!tag) return request;
  const headers = new Headers(request.headers);
  headers.set("If-None-Match", tag);
  return new Request(request, { headers });
}

// The session as the server sees it now: signed out (an expired session, a sign-out on the desk), or another
// person signed in, and what was cached for the last person goes: offline, the app must not open as them.
async function forgetOtherUser(response) {
  const now = (await response.json().catch(() => ({}))).user?.id ?? null;
  const cached = await caches.match("/api/v1/session", { cacheName: DATA });
  const before = cached ? (await cached.json().catch(() => ({}))).user?.id ?? null : null;
  if (now === null || (before !== null && before !== now)) await caches.delete(DATA);
}

// The directory kept here brought up to date: the zones changed since its version replace theirs, the retired
// ones go. A kept copy that does not come out with the server's count of zones (or one with no version or no
// columns, from an older release), and a server that cannot answer from that version, get the whole directory.
// Each zone is a row of the directory's columns, its id first.
async function directoryUpdated(request, kept) {
  const old = await kept.clone().json().catch(() => ({}));
  if (!old.version || !Array.isArray(old.columns) || !Array.isArray(old.zones)) return whole(request);
  const asked = new URL(request.url);
  asked.searchParams.set("since", old.version);
  const response = await fetch(asked, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) return response;
  const changes = await response.clone().json();
  if (changes.since === null) {
    await keep(DIRECTORY, response.clone());
    return response;
  }
  if (changes.columns.join() !== old.columns.join()) return whole(request);  // rows of another shape
  const zones = new Map(old.zones.map((row) => [row[0], row]));
  for (const id of changes.retired) zones.delete(id);
  for (const row of changes.zones) zones.set(row[0], row);
  if (zones.size !== changes.total) return whole(request);
  const merged = new Response(JSON.stringify({ ...changes, since: null, retired: [], zones: [...zones.values()] }),
    { headers: { "Content-Type": "application/json", Date: response.headers.get("Date") || new Date().toUTCString() } });
  await keep(DIRECTORY, merged.clone());
  return merged;
}

// The whole directory, kept.
async function whole(request) {
  const response = await fetch(new URL(DIRECTORY, self.location.origin),
                               { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.ok) await keep(request, response.clone());
  return response;
}

// A label's zone, from the directory when it is current (brought up to date in this run of the worker): the
// zone page asks the network nothing for it. Null otherwise (the network answers, and says why a token opens
// nothing: retired, inactive).
async function zoneFromCurrentDirectory(url) {
  return revalidated.has(DIRECTORY) ? zoneFromDirectory(url) : null;
}

// A zone never opened on this phone still opens offline: its label's token is in the cached directory.
async function zoneFromDirectory(url) {
  const match = url.pathname.match(/^\/api\/v1\/zones\/by-(token|code)\/([^/]+)$/);
  if (!match) return null;
  const directory = await caches.match(DIRECTORY, { cacheName: DATA });
  if (!directory) return null;
  const key = decodeURIComponent(match[2]).trim();
  const { columns, zones } = await directory.json();
  // Each row read as the zone /zones/by-token answers (its page reads the same fields either way). A phone
  // updated from a release that kept the zones as such objects reads them as they are until it is next online.
  const read = Array.isArray(columns) ? (row) => Object.fromEntries(columns.map((column, i) => [column, row[i]]))
    : (zone) => zone;
  const [field, wanted] = match[1] === "token" ? ["token", key.toLowerCase()] : ["code", key.toUpperCase()];
  const zone = zones.map(read).find((z) => z[field] === wanted);
  if (!zone) return null;
  return new Response(JSON.stringify({ zone }), { headers: { "Content-Type": "application/json" } });
}
