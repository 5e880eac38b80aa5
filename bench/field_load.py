"""Bytes a phone fetches for the field app: the first load, and a repeat load with the shell cached.

Run: .venv/bin/python bench/field_load.py      (needs Debian's chromium; also part of `make bench`)

A live server on loopback with a throw-away database counts what it sends, per request. Headless Chromium
at a phone's size signs in and lands on a zone's QR URL (the shell, its modules and CSS, the manifest, the
service worker and its precache, the data): that is the first load. Then it opens another zone's QR URL:
the repeat load. Sizes are gzip -6 of each body (what a TLS proxy such as nginx sends) and raw.
"""

import gzip
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--no-sandbox"]


class Counter:
    """WSGI middleware that records the bytes of every response body, by path."""

    def __init__(self, app):
        self.app, self.log = app, []

    def __call__(self, environ, start_response):
        body = b"".join(self.app(environ, start_response))
        self.log.append((environ["PATH_INFO"], len(body), len(gzip.compress(body, 6))))
        return [body]


def _report(name, rows):
    shell = [r for r in rows if not r[0].startswith(("/api/", "/login", "/static/"))]
    data = [r for r in rows if r[0].startswith("/api/")]
    print(f"field_load {name}: shell {sum(r[2] for r in shell)} B gzip ({sum(r[1] for r in shell)} B raw, "
          f"{len(shell)} requests); API data {sum(r[2] for r in data)} B gzip ({len(data)} requests)")


def main() -> int:
    """Measure and print the first-load and repeat-load bytes of the field app."""
    from playwright.sync_api import sync_playwright

    from server import create_app
    from server.auth import services as users
    from server.extensions import db
    from server.hazards import categories
    from server.zones import services as zones

    tmp = Path(tempfile.mkdtemp())
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'b.sqlite'}"})
    app.instance_path = str(tmp)
    with app.app_context():
        db.create_all()
        categories.ensure_defaults()
        users.create_user("patrol", "巡查员", "bench-password-1", ["patrol"])
        tokens = [zones.create_zone(f"Z-{n}", f"责任区{n}").qr_token for n in range(26)]
        db.session.commit()
    counter = Counter(app.wsgi_app)
    app.wsgi_app = counter
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
        page.goto(f"{base}/login?next=/z/{tokens[0]}")
        page.fill("#username", "patrol")
        page.fill("#password", "bench-password-1")
        counter.log.clear()
        page.click("main form button[type=submit]")
        page.wait_for_selector("h1")
        page.evaluate("""async () => { await navigator.serviceWorker.ready;
            if (!navigator.serviceWorker.controller) await new Promise((r) =>
                navigator.serviceWorker.addEventListener('controllerchange', r, {once: true})); }""")
        page.wait_for_load_state("networkidle")
        first = list(counter.log)
        counter.log.clear()
        page.goto(f"{base}/z/{tokens[1]}")
        page.wait_for_selector("h1")
        page.wait_for_load_state("networkidle")
        repeat = list(counter.log)
        browser.close()
    server.shutdown()
    _report("first load", first)
    _report("repeat load", repeat)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
