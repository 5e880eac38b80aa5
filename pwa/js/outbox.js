// The outbox: every record made on the phone waits here (IndexedDB, owned by the page) until the server's
// acknowledgement echoes its client id. Network failures and 5xx retry with backoff; 401 keeps the items and
// asks to sign in; any other 4xx marks the item "needs attention" with the server's message (DESIGN.md).
import { getJSON } from "./api.js";
import * as idb from "./idb.js";

const STORE = "outbox";
const listeners = new Set();
let running = null;
let retryTimer = null;
export const status = { lastSync: localStorage.getItem("last-sync"), signInNeeded: false, sending: null };

/** Call `fn` whenever the outbox changes. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

async function changed() {
  const items = await list();
  for (const fn of listeners) fn(items, status);
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
  await idb.put(STORE, {
    id, url, label, fields, files: stored, created_at: new Date().toISOString(), state: "waiting",
    attempts: 0, error: null,
  });
  await changed();
  // Where the browser has Background Sync, it wakes the app to send even if the user has left the page.
  navigator.serviceWorker?.ready.then((reg) => reg.sync?.register("outbox")).catch(() => {});
}

function body(item) {
  const data = new FormData();
  for (const [name, value] of Object.entries(item.fields)) {
    if (value !== undefined && value !== null && value !== "") data.append(name, String(value));
  }
  for (const [name, list] of Object.entries(item.files || {})) {
    list.forEach((f, i) => data.append(name, new Blob([f.data], { type: f.type }), `${name}-${i + 1}.jpg`));
  }
  return data;
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
  let response;
  try {
    response = await fetch(item.url, {
      method: "POST", body: body(item), credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": info.csrf_token },
    });
  } catch {
    return { outcome: "retry" };
  }
  const data = await response.json().catch(() => null);
  if (response.status === 401) return { outcome: "signin" };
  if (response.status >= 500 || response.status === 429) return { outcome: "retry" };
  if (data?.error?.code === "csrf") return { outcome: "retry" };  // a token gone stale: take a new one
  if (!response.ok) return { outcome: "attention", message: data?.error?.message || response.statusText };
  // Only our own acknowledgement counts: a captive Wi-Fi portal also answers 200.
  if (data?.client_id !== item.id) return { outcome: "retry" };
  return { outcome: "done" };
}

/** Send the waiting items one at a time, in order; resolve when this round is over. */
export function syncNow() {
  running ||= (async () => {
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
          await idb.remove(STORE, item.id);
          status.lastSync = new Date().toISOString();
          localStorage.setItem("last-sync", status.lastSync);
          status.signInNeeded = false;
        } else if (result.outcome === "attention") {
          await idb.put(STORE, { ...item, state: "attention", error: result.message });
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
      running = null;
      await changed();
    }
    if (failures) {
      const delay = Math.min(60_000, 2_000 * 2 ** Math.min(failures - 1, 5));
      retryTimer = setTimeout(syncSoon, delay);
    }
  })();
  return running;
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

/** Drop an item the user chose to discard. */
export async function discard(id) {
  await idb.remove(STORE, id);
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
