// The outbox: every record made on the phone waits here (IndexedDB, owned by the page) until the server's
// acknowledgement echoes its client id. Network failures and 5xx retry with backoff; 401 keeps the items and
// asks to sign in; any other 4xx marks the item "needs attention" with the server's message (DESIGN.md).
import { getJSON } from "./api.js";
import * as idb from "./idb.js";

const STORE = "outbox";
const FILES = "outbox-files";  // the photos, apart: listing the outbox (every redraw) reads no photo bytes
const STALL_MS = 60_000;  // an upload with no progress for this long is given up and tried again later
const listeners = new Set();
let running = null;
let again = false;  // a sync was asked for while a round ran: run one more
let retryTimer = null;
let owner = null;  // the signed-in person: a record is theirs, and is sent only in their session
export const status = { lastSync: localStorage.getItem("last-sync"), signInNeeded: false, sending: null,
                        progress: null };

/** Say who is signed in on this phone ({id, display_name}); records made from now on are theirs. */
export function setUser(user) {
  owner = user ? { id: user.id, name: user.display_name } : null;
}

/** Return how much of item `id` is uploaded, in whole percent, from a status; null when it is not uploading. */
export function uploadPercent(state, id) {
  const p = state.progress;
  return p && p.id === id && p.total ? Math.round((100 * p.loaded) / p.total) : null;
}

/** Call `fn` whenever the outbox changes. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

async function changed() {
  const now = { ...status };  // as it is now: an upload may finish while the list is read
  const items = await list();
  for (const fn of listeners) fn(items, now);
}

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
  // Where the browser has Background Sync, it wakes the app to send even if the user has left the page.
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

async function sendOne(item) {
  // A fresh CSRF token at send time (the item may have waited for days), never the offline copy.
  let info;
  try {
    info = await getJSON("/api/v1/session?fresh=1");
  } catch {
    return { outcome: "retry" };
  }
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
    return { outcome: "retry" };
  } finally {
    status.progress = null;
  }
  const { data } = response;
  if (response.status === 401) return { outcome: "signin" };
  if (response.status === 0 || response.status >= 500 || response.status === 429) return { outcome: "retry" };
  if (data?.error?.code === "csrf") return { outcome: "retry" };  // a token gone stale: take a new one
  if (response.status < 200 || response.status >= 300) {
    return { outcome: "attention", message: data?.error?.message || response.statusText || String(response.status) };
  }
  // Only our own acknowledgement counts: a captive Wi-Fi portal also answers 200.
  if (data?.client_id !== item.id) return { outcome: "retry" };
  return { outcome: "done" };
}

/** Send the waiting items one at a time, in order; resolve when they are sent or cannot be now. */
export function syncNow() {
  if (running) {
    again = true;  // what was asked for (a retry, a new record) may be behind the round's list: go once more
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        await round();
      } while (again);
    } finally {
      running = null;
    }
  })();
  return running;
}

// One pass over the waiting items, oldest first; stops at the first that cannot go for want of the network.
async function round() {
  clearTimeout(retryTimer);
  let failures = 0;
  try {
    for (const item of await list()) {
      if (item.state === "attention") continue;  // only the user can edit or discard it; others go on
      status.sending = item.id;
      await changed();
      let result;
      try {
        result = await sendOne(item);
      } catch {
        result = { outcome: "retry" };
      }
      if (result.outcome === "done") {
        await idb.removeAll([STORE, FILES], item.id);
        status.lastSync = new Date().toISOString();
        localStorage.setItem("last-sync", status.lastSync);
        status.signInNeeded = false;
      } else if (result.outcome === "attention") {
        await idb.put(STORE, { ...item, state: "attention", error: result.message });
      } else if (result.outcome === "other_user") {
        continue;
      } else if (result.outcome === "signin") {
        status.signInNeeded = true;
        break;
      } else {
        failures = item.attempts + 1;
        await idb.put(STORE, { ...item, state: "waiting", attempts: failures });
        break;  // the network or the server is down: try again later, in order
      }
    }
  } finally {
    status.sending = null;
    await changed();
  }
  if (failures) {
    again = false;  // the network is down: the backoff decides when to try again, not a busy loop
    const delay = Math.min(60_000, 2_000 * 2 ** Math.min(failures - 1, 5));
    retryTimer = setTimeout(syncSoon, delay);
  }
}

/** Start a sync round unless one is running. */
export function syncSoon() {
  syncNow().catch(() => {});
}

/** Put an item that needs attention back in line (after the user fixed what the server refused). */
export async function retry(id) {
  const item = await idb.get(STORE, id);
  if (item) await idb.put(STORE, { ...item, state: "waiting", error: null });
  await changed();
  syncSoon();
}

/** Change the fields of an item that needs attention (what the server refused), and put it back in line. */
export async function edit(id, fields) {
  const item = await idb.get(STORE, id);
  if (!item) return;
  // The same client id: the server made nothing from the refused send, so the edited record is still new.
  await idb.put(STORE, { ...item, fields: { ...item.fields, ...fields }, state: "waiting", error: null,
                         edited_at: new Date().toISOString() });
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
  addEventListener("online", syncSoon);
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
