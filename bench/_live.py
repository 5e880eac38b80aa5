"""Shared set-up for the browser benchmarks: a live app on loopback and headless Chromium at a phone's size.

Not a benchmark itself (`make bench` runs it too: it only defines things and exits). Used by field_load.py,
photo_downsize.py and outbox_sync.py: a throw-away SQLite database and media folder in a temporary
directory, the default hazard categories, one patrol user, some zones, a threaded werkzeug server on a free
loopback port, Debian's Chromium driven by Playwright, sign-in through the real /login form.
"""

import logging
import os
import shutil
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Without the background-networking flags Chromium tries to reach outside hosts; --no-sandbox: we run as root.
ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--no-sandbox"]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
USERNAME = "patrol"
PASSWORD = "bench-password-1"  # noqa: S105 (a throw-away account in a temporary folder)


@dataclass
class Live:
    """A running app: its URL, the Flask app (for database checks), the zones made, the temp folder."""

    app: object
    base: str
    folder: Path
    zone_ids: list[int] = field(default_factory=list)
    zone_tokens: list[str] = field(default_factory=list)
    category_id: int = 0


def chromium_path() -> str:
    """Return the Chromium binary to drive (CHROMIUM_PATH, else Debian's)."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@contextmanager
def live_app(zones: int = 1, config: dict | None = None):
    """Yield a Live app served on loopback with a fresh database; remove everything afterwards."""
    from werkzeug.serving import make_server

    from server import create_app
    from server.auth import services as users
    from server.extensions import db
    from server.hazards import categories
    from server.zones import services as zone_services

    folder = Path(tempfile.mkdtemp(prefix="xunjian-bench-"))
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'b.sqlite'}",
                      "MEDIA_ROOT": str(folder / "media"), "LABELS_DIR": str(folder / "labels"),
                      **(config or {})})
    app.instance_path = str(folder)
    with app.app_context():
        db.create_all()
        categories.ensure_defaults()
        users.create_user(USERNAME, "巡查员", PASSWORD, ["patrol"])
        made = [zone_services.create_zone(f"Z-{n}", f"责任区{n}") for n in range(zones)]
        category_id = categories.list_categories()[0].id
        db.session.commit()
        live = Live(app=app, base="", folder=folder, zone_ids=[z.id for z in made],
                    zone_tokens=[z.qr_token for z in made], category_id=category_id)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request on stderr
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live.base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield live
    finally:
        server.shutdown()
        thread.join()
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def launch(playwright):
    """Start Debian's Chromium headless."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=ARGS)


def phone_page(browser):
    """Return a new page in a fresh phone-sized context (360x740, mobile)."""
    return browser.new_context(**PHONE).new_page()


def fill_sign_in(page, base: str, next_path: str) -> None:
    """Open the sign-in form (coming back to next_path) and fill it in, without submitting."""
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#username", USERNAME)
    page.fill("#password", PASSWORD)


def submit_sign_in(page) -> None:
    """Submit the filled-in sign-in form."""
    page.click("main form button[type=submit]")


def sign_in(page, base: str, next_path: str) -> None:
    """Sign in through the real form and wait for next_path's page to settle (service worker in control)."""
    fill_sign_in(page, base, next_path)
    submit_sign_in(page)
    page.wait_for_selector("h1")
    wait_for_service_worker(page)
    page.wait_for_load_state("networkidle")


def wait_for_service_worker(page) -> None:
    """Wait until the service worker controls the page (`ready` can resolve while it still activates)."""
    page.evaluate("""async () => { await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) await new Promise((r) =>
            navigator.serviceWorker.addEventListener('controllerchange', r, {once: true})); }""")


def import_module(page, name: str, var: str) -> str:
    """Import the page's own pwa/js/NAME (same ?v= URL, so the same module instance) as window[var]."""
    return page.evaluate("""async ([name, variable]) => {
        const entry = document.querySelector('script[type=module][src*="/pwa/js/app.js"]');
        const url = entry ? entry.src.replace('/pwa/js/app.js', `/pwa/js/${name}`) : `/pwa/js/${name}`;
        window[variable] = await import(url);
        return url;
    }""", [name, var])


def add_photo_input(page, path: Path, input_id: str = "bench-photo") -> None:
    """Add a hidden file input to the page and put the photo in it, as the phone's camera would."""
    page.evaluate("""(id) => { const input = document.createElement('input');
        Object.assign(input, {type: 'file', id, accept: 'image/*', hidden: true});
        document.body.append(input); }""", input_id)
    page.set_input_files(f"#{input_id}", str(path))
