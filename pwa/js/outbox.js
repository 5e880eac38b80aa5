// The outbox: every record made on the phone waits here (IndexedDB, owned by the page) until the server's
// acknowledgement echoes its client id. Network failures and 5xx retry with backoff; 401 keeps the items and
// asks to sign in; any other 4xx marks the item "needs attention" with the server's message (DESIGN.md).
// Several tabs of the app share one outbox: one of them sends at a time (Web Locks), each writes an item back
// only if it is still there, and each tells the others when the outbox changed (BroadcastChannel).
import { forgetToken, freshSession } from "./api.js";
import { replace } from "./dom.js";
import { t } from "./i18n.js";
import * as idb from "./idb.js";

const STORE = "outbox";
const FILES = "outbox-files";  // the photos, apart: listing the outbox (every redraw) reads no photo bytes
const STALL_MS = 60_000;  // an upload with no progress for this long is given up and tried again later
const LOCK = "xunjian-outbox-sync";
// Actions on one hazard go in the order they were made: each is checked against the state the one before
// left.
const HAZARD_ACTIONS = /^\/api\/v1\/hazards\/\d+\/actions$/;
const listeners = new Set();
// The app's other tabs on this phone: a record sent or discarded in one disappears from the others at once.
const tabs = typeof BroadcastChannel === "function" ? new BroadcastChannel("xunjian-outbox") : null;
let running = null;
let again = false;  // a sync was asked for while a round ran: run one more
let retryTimer = null;
let offlineRounds = 0;  // rounds in a row that ended for want of the network (their backoff)
let owner = null;  // the signed-in person: a record is theirs, and is sent only in their session
// `noSignal`: the phone has no network (the browser says so, or the last try could not reach the server);
// `retryAt` and `reason`: when the next round goes by itself and why the last one stopped (null for no signal,
// else the HTTP status the server answered), so the app can tell what it is doing.
export const status = { lastSync: localStorage.getItem("last-sync"), signInNeeded: false, sending: null,
                        progress: null, noSignal: !navigator.onLine, retryAt: null, reason: null };
let elsewhere = { sending: null, progress: null };  // what another tab of the app is sending now

/** Say who is signed in on this phone ({id, display_name}); records made from now on are theirs. */
export function setUser(user) {
  owner = user ? { id: user.id, name: user.display_name } : null;
}

/** Return how much of item `id` is uploaded, in whole percent, from a status; null when it is not uploading. */
export function uploadPercent(state, id) {
  const p = state.progress;
  return p && p.id === id && p.total ? Math.round((100 * p.loaded) / p.total) : null;
}

/** Show item `id`'s upload percent on `button` while it uploads; return the function that stops it. */
export function showUploadOn(button, id) {
  // The photos' upload progress, on the button the user just pressed (the report's and the checklist's).
  return subscribe((items, state) => {
    const percent = uploadPercent(state, id);
    if (percent !== null) replace(button, t("sending_percent", { n: `${percent}%` }));
  });
}

/** Call `fn` whenever the outbox changes. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

async function redraw() {
  // As it is now (an upload may finish while the list is read), with what another tab is sending.
  const now = { ...status, sending: status.sending ?? elsewhere.sending,
                progress: status.progress ?? elsewhere.progress };
  const items = await list();
  for (const fn of listeners) fn(items, now);
}

// The outbox changed in this tab: redraw here, and tell the other tabs to redraw from the database.
async function changed() {
  tabs?.postMessage({ sending: status.sending, progress: status.progress, lastSync: status.lastSync,
                      signInNeeded: status.signInNeeded });
  await redraw();
}

tabs?.addEventListener("message", ({ data }) => {
  elsewhere = { sending: data.sending, progress: data.progress };
  status.lastSync = data.lastSync ?? status.lastSync;
  status.signInNeeded = data.signInNeeded;  // one session for every tab: its sign-in is needed in all of them
  redraw();
});

/** Return the waiting items, oldest first. */
export async function list() {
  return (await idb.all(STORE)).sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/** Keep a record to send: fields, photos (Blobs, stored as ArrayBuffers: Safari fails on Blobs in IndexedDB). */
export async function enqueue({ id, url, label, fields, files = {} }) {
  const stored = {};
  for (const [name, blobs] of Object.entries(files)) {
    stored[name] = await Promise.all(blobs.map(async (b) => ({ data: await b.arrayBuffer(), type: b.type })));
  }
  const photoCount = Object.values(stored).reduce((n, list) => n + list.length, 0);
  await idb.putAll({
    [STORE]: { id, url, label, fields, photo_count: photoCount, created_at: new Date().toISOString(),
               state: "waiting", attempts: 0, error: null, user: owner },
    [FILES]: { id, files: stored },
  });
  await changed();
  // Where the browser has Background Sync, it tells the service worker when the connection is back, and the
  // worker asks the app's open tabs to send (see sw.js: with no tab open, nothing goes until the app opens).
  navigator.serviceWorker?.ready.then((reg) => reg.sync?.register("outbox")).catch(() => {});
}

function body(item, files) {
  const data = new FormData();
  for (const [name, value] of Object.entries(item.fields)) {
    if (value !== undefined && value !== null && value !== "") data.append(name, String(value));
  }
  for (const [name, list] of Object.entries(files)) {
    list.forEach((f, i) => data.append(name, new Blob([f.data], { type: f.type }), `${name}-${i + 1}.jpg`));
  }
  return data;
}

// POST with XMLHttpRequest rather than fetch: only XHR reports upload progress (a report's photos take a while
// on a weak signal, and the user should see them go). Resolves {status, data}; rejects on a network failure.
function post(url, form, token, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", token);
    // A signal that drops to nothing mid-upload leaves the request hanging: give up after a minute without
    // progress (not a fixed time: six photos on a weak signal may take minutes, and still move).
    let stall = setTimeout(() => xhr.abort(), STALL_MS);
    const moved = () => { clearTimeout(stall); stall = setTimeout(() => xhr.abort(), STALL_MS); };
    xhr.upload.addEventListener("progress", (e) => {
      moved();
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    });
    xhr.addEventListener("progress", moved);
    xhr.addEventListener("loadend", () => clearTimeout(stall));
    xhr.addEventListener("load", () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch { /* not our JSON: a proxy's or a portal's page */ }
      resolve({ status: xhr.status, statusText: xhr.statusText, data });
    });
    xhr.addEventListener("error", () => reject(new Error("network")));
    xhr.addEventListener("abort", () => reject(new Error("aborted")));
    xhr.send(form);
  });
}

// What became of one send: "done", "attention" (refused: the user must act), "failed" (the server failed on
// this record: it retries with its own backoff while the others go), "offline" (the network, the session or
// the server as a whole: the round stops), "signin", or "other_user". `run`: the round's session, asked of
// the server once per round (never the offline copy: the items may have waited for days) and again only when
// the server refuses its token (400 CSRF) or its session (401): then the item is sent once more.
async function sendOne(item, run) {
  const asked = !run.session;
  try {
    run.session ??= await freshSession();
  } catch (err) {
    return { outcome: "offline", reason: err.status || null };  // 0: no signal; else what the server answered
  }
  const info = run.session;
  if (!info.user) return { outcome: "signin" };
  // Made by someone else on this phone: it waits for them (never sent as the person signed in now).
  if (item.user && item.user.id !== info.user.id) return { outcome: "other_user" };
  let response;
  let shown = 0;
  try {
    const files = (await idb.get(FILES, item.id))?.files || {};
    response = await post(item.url, body(item, files), info.csrf_token, (loaded, total) => {
      // Redraw at most every 5 %: a listener redraws the outbox screen.
      if (loaded !== total && loaded - shown < total / 20) return;
      shown = loaded;
      status.progress = { id: item.id, loaded, total };
      changed();
    });
  } catch {
    return { outcome: "offline", reason: null };
  } finally {
    status.progress = null;
  }
  const { data } = response;
  // The server did nothing with a refused token or session: ask the session anew (signed out, or someone else
  // signed in meanwhile, shows there) and send again, once.
  if (!asked && (response.status === 401 || data?.error?.code === "csrf")) {
    forgetToken(info.csrf_token);
    run.session = null;
    return sendOne(item, run);
  }
  const message = data?.error?.message || `${response.status} ${response.statusText}`.trim();
  if (response.status === 401) return { outcome: "signin" };
  // Too many requests, or a token refused again: about the session, not this record (a new token next round).
  if (response.status === 0 || response.status === 429 || data?.error?.code === "csrf") {
    return { outcome: "offline", reason: response.status || null };
  }
  if (response.status >= 500) return { outcome: "failed", message, reason: response.status };
  if (response.status < 200 || response.status >= 300) return { outcome: "attention", message };
  // Only our own acknowledgement counts: a captive Wi-Fi portal also answers 200.
  if (data?.client_id !== item.id) return { outcome: "offline", reason: null };
  return { outcome: "done" };
}

// Wait 2 s after the first failure, doubling up to a minute. Only failures in a row count: the count starts
// afresh when the network returns and after every record sent, so an offline walk costs no wait afterwards.
function backoff(failures) {
  return Math.min(60_000, 2_000 * 2 ** Math.min(failures - 1, 5));
}

// One sync round at a time across the app's tabs: two tabs sending one record at once would upload it twice
// (the server keeps it once, by its client id, but the phone pays twice). Browsers without Web Locks (before
// Safari 15.4) send from each tab alone, and the client ids still keep every record once on the server.
function acrossTabs(work) {
  return navigator.locks?.request ? navigator.locks.request(LOCK, work) : work();
}

/** Send the waiting items one at a time, in order; resolve when they are sent or cannot be now. */
export function syncNow() {
  if (running) {
    again = true;  // what was asked for (a retry, a new record) may be behind the round's list: go once more
    return running;
  }
  running = (async () => {
    try {
      await acrossTabs(async () => {
        elsewhere = { sending: null, progress: null };  // this tab holds the lock: no other is sending
        do {
          again = false;
          await round();
        } while (again);
      });
    } finally {
      running = null;
    }
  })();
  return running;
}

/** Return whether `item` must wait for `earlier`, made before it and still on the phone. */
function dependsOn(item, earlier) {
  // Actions on one hazard keep their order; a record that names another by its client id (a report's visit,
  // an action on a hazard reported from this phone) waits until the server has that one.
  if (item.url === earlier.url && HAZARD_ACTIONS.test(item.url)) return true;
  return Object.values(item.fields).includes(earlier.id);
}

// When the item may be tried again: never before its backoff after a server failure.
const due = (item, now) => !item.retry_at || Date.parse(item.retry_at) <= now;

// One pass over the waiting items, oldest first. An item the server keeps failing on (5xx) waits out its own
// backoff while the ones behind it go, unless they depend on it; the round stops when the network is gone.
async function round() {
  clearTimeout(retryTimer);
  const behind = [];  // items of this round still on the phone: what comes after them may depend on them
  const run = { session: null };  // asked when the first item goes: a round with nothing to send asks nothing
  let offline = false;
  status.retryAt = null;
  try {
    for (const listed of await list()) {
      // Read again just before sending: another tab may have sent, discarded or edited it since the list.
      const item = await idb.get(STORE, listed.id);
      if (!item) continue;
      if (item.state === "attention" || !due(item, Date.now()) || behind.some((e) => dependsOn(item, e))) {
        behind.push(item);  // only the user can edit or discard it; or its turn is later
        continue;
      }
      status.sending = item.id;
      await changed();
      let result;
      try {
        result = await sendOne(item, run);
      } catch {
        result = { outcome: "offline", reason: null };
      }
      // Any answer from the server means there is a signal; none means there is not.
      status.noSignal = result.outcome === "offline" && !result.reason;
      status.reason = result.reason ?? null;
      if (result.outcome === "done") {
        offlineRounds = 0;
        await idb.removeAll([STORE, FILES], item.id);
        status.lastSync = new Date().toISOString();
        localStorage.setItem("last-sync", status.lastSync);
        status.signInNeeded = false;
        continue;
      }
      behind.push(item);
      if (result.outcome === "attention") {
        await idb.update(STORE, item.id, (now) => ({ ...now, state: "attention", error: result.message }));
      } else if (result.outcome === "failed") {
        await idb.update(STORE, item.id, (now) => ({ ...now, attempts: now.attempts + 1, error: result.message,
          error_status: result.reason, retry_at: new Date(Date.now() + backoff(now.attempts + 1)).toISOString() }));
      } else if (result.outcome === "signin") {
        status.signInNeeded = true;
        break;
      } else if (result.outcome === "offline") {
        offline = true;
        break;  // the network or the server is down: try again later, in order
      }
    }
    offlineRounds = offline ? offlineRounds + 1 : 0;
    if (offline) {
      again = false;  // the network is down: the backoff decides when to try again, not a busy loop
      status.retryAt = Date.now() + backoff(offlineRounds);
      retryTimer = setTimeout(syncSoon, status.retryAt - Date.now());
    } else {
      // The next item whose backoff ends brings the next round.
      const next = (await list()).filter((i) => i.state === "waiting" && i.retry_at)
        .map((i) => Date.parse(i.retry_at));
      if (next.length) retryTimer = setTimeout(syncSoon, Math.max(0, Math.min(...next) - Date.now()));
    }
  } finally {
    status.sending = null;
    await changed();
  }
}

/** Start a sync round unless one is running. */
export function syncSoon() {
  syncNow().catch(() => {});
}

/** Send now, as the user asked: records in backoff after a server failure are tried at once too. */
export async function sendNow() {
  await afresh();
  syncSoon();
}

// Start every backoff afresh (the network is back, or the user asked): the time spent offline, and the
// failures before it, cost no wait now; a record the server still fails on climbs its backoff again.
async function afresh() {
  offlineRounds = 0;
  for (const item of await list()) {
    if (item.retry_at) await idb.update(STORE, item.id, (now) => ({ ...now, attempts: 0, retry_at: null }));
  }
}

// The browser says whether the phone has a network at all: show it at once, without waiting for a round.
function connectionChanged() {
  status.noSignal = !navigator.onLine;
  if (navigator.onLine) {
    afresh().finally(syncSoon);
  } else {
    changed();
  }
}

/** Put an item that needs attention back in line (after the user fixed what the server refused). */
export async function retry(id) {
  await idb.update(STORE, id, (item) => ({ ...item, state: "waiting", error: null, error_status: null,
                                           retry_at: null }));
  await changed();
  syncSoon();
}

/** Change the fields of an item that needs attention (what the server refused), and put it back in line. */
export async function edit(id, fields) {
  // The same client id: the server made nothing from the refused send, so the edited record is still new.
  const kept = await idb.update(STORE, id, (item) => ({ ...item, fields: { ...item.fields, ...fields },
    state: "waiting", error: null, error_status: null, retry_at: null, edited_at: new Date().toISOString() }));
  if (!kept) return;  // discarded in another tab meanwhile
  await changed();
  syncSoon();
}

/** Drop an item the user chose to discard. */
export async function discard(id) {
  await idb.removeAll([STORE, FILES], id);
  await changed();
}

/** Sync on start, on reconnect, on return to the app, and when the service worker asks (Background Sync). */
export function start() {
  addEventListener("online", connectionChanged);
  addEventListener("offline", connectionChanged);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") syncSoon(); });
  navigator.serviceWorker?.addEventListener("message", (event) => { if (event.data === "sync-outbox") syncSoon(); });
  navigator.storage?.persist?.().catch(() => {});
  syncSoon();
}

/** Keep a record and try to send it now; return "sent", "waiting" (kept for later) or "attention". */
export async function submit(record) {
  await enqueue(record);
  await syncNow();
  const item = await idb.get(STORE, record.id);
  if (!item) return "sent";
  return item.state === "attention" ? "attention" : "waiting";
}
