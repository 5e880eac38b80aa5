// Talk to the JSON API: same-origin cookies, a fresh CSRF token for each change, errors as ApiError.

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

async function request(method, path, { body, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(path, { method, body, headers, credentials: "same-origin" });
  } catch (err) {
    throw new ApiError(0, "network", err.message);
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

/** POST JSON or FormData with a CSRF token taken at send time (a queued item may wait for days). */
export async function send(method, path, payload) {
  const { csrf_token: token } = await getJSON("/api/v1/session?fresh=1");  // never the offline copy
  const headers = { Accept: "application/json", "X-CSRFToken": token };
  let body = payload;
  if (!(payload instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(payload ?? {});
  }
  return request(method, path, { body, headers });
}
