"""The policy headers go where a document or a worker reads them; every answer says nosniff (issue 12)."""

import pytest

from server import security_headers, shell

POLICY = ["Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "Permissions-Policy"]


@pytest.mark.parametrize(("path", "policy"), [
    ("/login", True),                       # a page
    ("/app?shell=1", True),                 # the field app's shell
    ("/sw.js", True),                       # the service worker: its own answer sets its policy
    ("/pwa/js/qr-worker.js", True),         # a dedicated worker: likewise
    ("/pwa/offline.html", True),            # a page the worker shows offline
    ("/pwa/js/app.js", False),              # a module: the page's policy governs it
    ("/pwa/css/app.css", False),
    ("/pwa/icons/icon-192.png", False),
    ("/manifest.webmanifest", False),
    ("/api/v1/session", False),             # JSON read by fetch()
    ("/api/v1/openapi.json", False),
])
def test_policy_headers_only_where_a_document_or_worker_reads_them(app, client, path, policy):
    with app.app_context():
        v = shell.version()
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}v={v}" if path.startswith("/pwa/") else path)
    assert response.status_code == 200
    assert {name: name in response.headers for name in POLICY} == dict.fromkeys(POLICY, policy)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_not_modified_answer_keeps_the_headers_of_the_copy_it_confirms(login_as):
    client = login_as("patrol")
    tag = client.get("/api/v1/i18n").headers["ETag"]
    response = client.get("/api/v1/i18n", headers={"If-None-Match": tag})
    assert response.status_code == 304
    assert "Content-Security-Policy" not in response.headers


@pytest.mark.parametrize(("mimetype", "path", "policy"), [
    ("text/html", "/desk", True),
    ("image/svg+xml", "/anything.svg", True),     # an SVG opened by itself is a document
    ("application/pdf", "/labels.pdf", True),     # not known to be inert: protected by default
    ("text/csv", "/ledger.csv", True),
    ("application/json", "/api/v1/zones", False),
    ("text/javascript", "/pwa/js/home.js", False),
    ("text/javascript", "/sw.js", True),
    ("text/javascript", "/pwa/js/qr-worker.js", True),
    ("image/jpeg", "/media/photo.jpg", False),
])
def test_needs_policy(mimetype, path, policy):
    assert security_headers.needs_policy(200, mimetype, path) is policy
