"""Security headers, on the answers that need them (issue 12: about 0.4 kB on every answer where a phone's
data and modules need none of it).

A Content-Security-Policy, X-Frame-Options, Referrer-Policy and Permissions-Policy govern a document (a page
the browser renders, which may be framed, run scripts, ask for the camera) and a worker (its policy comes from
its own script's answer, https://www.w3.org/TR/CSP3/#initialize-global-object-csp). JSON read by fetch(), a
stylesheet, an image or a module imported by a page is governed by the page's policy, not its own: those
answers carry only X-Content-Type-Options, which stops a browser from running one as something else. What is
not known to be such a subresource gets the whole set (a new kind of answer is protected by default).
"""

from flask import Flask, Response, request

POLICY = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), geolocation=(), microphone=()",
}
# Media types a browser never renders as a document (SVG and HTML can be; JSON shows as inert text).
SUBRESOURCES = frozenset({"application/json", "text/css", "text/javascript", "application/javascript",
                          "application/manifest+json", "image/png", "image/jpeg", "image/webp"})
SCRIPTS = frozenset({"text/javascript", "application/javascript"})


def is_worker_script(path: str) -> bool:
    """Return whether a path names a worker's script (the service worker, a dedicated *-worker.js)."""
    return path == "/sw.js" or path.endswith("-worker.js")


def needs_policy(status: int, mimetype: str, path: str) -> bool:
    """Return whether an answer (status, type, path) needs the document and worker headers."""
    if status == 304:  # no body: the copy the browser holds keeps the headers it came with
        return False
    if mimetype in SCRIPTS:
        return is_worker_script(path)
    return mimetype not in SUBRESOURCES


def add_headers(response: Response) -> Response:
    """Add nosniff to every answer, and the policy headers where a document or worker reads them."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if needs_policy(response.status_code, response.mimetype, request.path):
        for name, value in POLICY.items():
            response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Add the security headers after every request."""
    app.after_request(add_headers)
