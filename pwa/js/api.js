// Talk to the JSON API: same-origin cookies, the session's CSRF token with each change, errors as ApiError.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

/** Send the user to sign in, coming back to where they are. */
export function signIn() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

// What the page read before its service worker controlled it (a first visit: the page starts before its
// worker), as [path, body, ETag, type], for handOver().
const unkept = [];

async function request(method, path, { body, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(path, { method, body, headers, credentials: "same-origin" });
  } catch (err) {
    throw new ApiError(0, "network", err.message);
  }
  if (method === "GET" && response.ok && !navigator.serviceWorker?.controller) {
    const { headers: got } = response;
    unkept.push(response.clone().text().then((text) => [path, text, got.get("ETag"), got.get("Content-Type")]));
  }
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("application/json") ? await response.json().catch(() => null) : null;
  if (response.status === 401) {
    signIn();
    throw new ApiError(401, "unauthorized", data?.error?.message || "");
  }
  if (!response.ok) {
    const error = data?.error || {};
    throw new ApiError(response.status, error.code || "error", error.message || response.statusText, error.details);
  }
  if (data === null) throw new ApiError(response.status, "not_json", "The server did not answer in JSON.");
  return data;
}

/** GET a JSON document. */
export function getJSON(path) {
  return request("GET", path, { headers: { Accept: "application/json" } });
}

/** Return the session: the user (or null), a fresh CSRF token, the language. */
export function session() {
  return getJSON("/api/v1/session");
}

// This session's CSRF token: asked once, and again only when the server refuses it (a token is good for the
// whole session; asking before every change cost the outbox one request per record, issue 12).
let token = null;

/** Resolve the session as the server sees it now (never the offline copy), and keep its CSRF token. */
export async function freshSession() {
  const info = await getJSON("/api/v1/session?fresh=1");
  token = info.csrf_token;
  return info;
}

// The kept CSRF token, asked of the server when there is none.
async function csrfToken() {
  return token ?? (await freshSession()).csrf_token;
}

/** Forget the kept CSRF token (the server refused it): the next change asks for a new one. */
export function forgetToken(refused) {
  if (token === refused) token = null;  // another change may have fetched a new one meanwhile
}

/** POST JSON or FormData with the session's CSRF token; a refused token is replaced once and the change sent
 * again (the server did nothing with the refused one). */
export async function send(method, path, payload) {
  const headers = { Accept: "application/json" };
  let body = payload;
  if (!(payload instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(payload ?? {});
  }
  for (let again = true; ; again = false) {
    const used = await csrfToken();
    try {
      return await request(method, path, { body, headers: { ...headers, "X-CSRFToken": used } });
    } catch (err) {
      if (!(again && err.code === "csrf")) throw err;
      forgetToken(used);
    }
  }
}

/** Hand the answers read before the worker controlled the page to it to keep; resolve the paths it kept. */
export async function handOver(worker) {
  // Fetching them again through the worker cost every new phone about 5 kB (issue 12); the worker decides
  // what it keeps, by its own rules (which data, whose session).
  const answers = await Promise.all(unkept.splice(0));
  const { port1, port2 } = new MessageChannel();
  const kept = new Promise((resolve) => { port1.onmessage = (event) => resolve(event.data); });
  worker.postMessage({ keep: answers }, [port2]);
  return kept;
}
