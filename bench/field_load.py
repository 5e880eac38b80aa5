"""Bytes a phone really receives for the field app, as Chromium counts them, from the server as `make run`
starts it.

Run: .venv/bin/python bench/field_load.py [--verbose] [--district N]   (needs Debian's chromium; `make bench`)

The server is `flask run` on a copy of the demo database (`flask db upgrade` and `flask seed-demo`, as
`make run` does; no proxy), or with --district N on bench/district.py's data set of N hazards. Headless
Chromium at a phone's size; every target is counted, the page and the service worker (its precache and its
data fetches) and the QR decoder's worker: the network bytes of each response (`encodedDataLength`: headers
and body as sent, compressed when the server compressed it), leaving out what the service worker or the disk
cache answered (bench/_cdp.py). For a patrol and for a supervisor:

- first load: a new phone signs in and lands on /app, until the app says it is ready to work with no signal
  (the shell, its modules, the precache, the data) and the network is quiet;
- reload: the same page loaded again, nothing changed on the server;
- zone URL: a zone's label URL opened on the phone that has the app (installed);
- reopened, a zone renamed: the next morning (the browser has stopped the app's worker meanwhile) the app
  opens again after one zone was renamed on the server: its zone directory gets only the changes;
- new phone from a label: a fresh phone opens a zone's label URL, signs in and lands on the zone.

The QR decoder (vendored jsQR and the worker that runs it, qr-worker.js) is counted apart: fetched once, only
by phones without BarcodeDetector (Chromium on Linux has none; a second first load with a BarcodeDetector
stand-in shows it is not fetched).
Goals (issue 12): first load ≤ 75 kB, reload ≤ 5 kB, zone URL ≤ 3 kB, decoder ≤ 60 kB once.
"""

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter as Tally
from contextlib import contextmanager
from pathlib import Path

import _cdp
import _live

ROOT = _live.ROOT
FLASK = [sys.executable, "-m", "flask", "--app", "server"]
DEMO_PASSWORD = "demo1234"  # noqa: S105 (the demo's published sign-ins)
PEOPLE = {"patrol": "li", "supervisor": "wang"}
GOALS = {"first load": 75_000, "reload": 5_000, "zone URL (installed)": 3_000}
# The whole directory is what a phone got when one zone changed before it asked for the changes (issue 12).
RENAMED = "reopened, a zone renamed"
DECODER = ("/pwa/vendor/", "/pwa/js/qr-worker.js")
# A browser with a native QR reader, for the first load of a phone that must not fetch the decoder.
NATIVE_READER = """self.BarcodeDetector = class { static async getSupportedFormats() { return ["qr_code"]; }
    async detect() { return []; } };"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback, our own server)
                return
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


@contextmanager
def served(database: Path | None, district: int | None, password: str):
    """Yield (base URL, database path, password) of `flask run` on a throw-away copy of the data."""
    folder = Path(tempfile.mkdtemp(prefix="xunjian-field-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "XUNJIAN_INSTANCE_PATH": str(folder), "XUNJIAN_MEDIA_ROOT": str(folder / "media"),
           "XUNJIAN_PUBLIC_BASE_URL": base, "XUNJIAN_SECRET_KEY": "bench-field-load",
           "DATABASE_URL": f"sqlite:///{folder / 'field.sqlite'}"}
    target = folder / "field.sqlite"
    if district:
        import district as districts

        path, _facts = districts.district_db(district)
        shutil.copy(path, target)
        password = districts.PASSWORD
    elif database:
        shutil.copy(database, target)
    subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    if not (district or database):  # the demo, as `make run` loads it the first time
        subprocess.run([*FLASK, "seed-demo", "--url", base], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    server = subprocess.Popen([*FLASK, "run", "--host", "127.0.0.1", "--port", str(port)],  # noqa: S603
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(f"{base}/login")
        yield base, target, password
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _people(database: Path, district: bool) -> dict[str, str]:
    """Return a patrol's and a supervisor's user names in this database."""
    if not district:
        return PEOPLE
    with sqlite3.connect(database) as db:
        def first(role):
            return db.execute("SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id "
                              "WHERE r.role = ? ORDER BY u.id LIMIT 1", (role,)).fetchone()[0]
        return {"patrol": first("patrol"), "supervisor": first("supervisor")}


def _zone_tokens(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT qr_token FROM zones WHERE active ORDER BY id LIMIT 2")]


def _rename_a_zone(database: Path, token: str) -> None:
    """Rename the zone of label `token` in the served database, as an admin's edit does (its updated_at)."""
    with sqlite3.connect(database) as db:
        db.execute("UPDATE zones SET name = name || '（新）', "
                   "updated_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE qr_token = ?", (token,))


def _next_morning(page) -> None:
    """Stop the app's service worker, as a phone's browser does between two uses of the app."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    cdp.detach()


def _settled(page) -> None:
    """Wait until the screen is drawn, the worker controls the page, and the network is quiet a while."""
    page.wait_for_selector("main h1")
    _live.wait_for_service_worker(page)
    page.wait_for_load_state("networkidle")
    time.sleep(1.5)  # the worker's precache and the idle-time decoder fetch are not the page's network


def _sign_in(page, base: str, next_path: str, username: str, password: str, counter) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#username", username)
    page.fill("#password", password)
    counter.take()  # the sign-in form itself is not the app
    page.click("main form button[type=submit]")
    page.wait_for_selector("html[data-offline=ready]", state="attached", timeout=60_000)
    _settled(page)


def _is_decoder(url: str) -> bool:
    return any(part in url for part in DECODER)


def _summary(name: str, transfers, verbose: bool, base: str) -> dict:
    transfers = [t for t in transfers if t.url.startswith(base)]  # not Chromium's own chrome:// pages
    app = [t for t in transfers if not _is_decoder(t.url) and "/login" not in t.url]
    decoder = [t for t in transfers if _is_decoder(t.url)]
    sign_in = [t for t in transfers if "/login" in t.url]
    by_target = Tally()
    for t in app:
        by_target[t.target] += t.bytes
    urls = Tally(t.url.split("//", 1)[1].split("/", 1)[1] for t in app)
    repeats = {u: n for u, n in urls.items() if n > 1}
    total = sum(t.bytes for t in app)
    goal = GOALS.get(name)
    verdict = f" (goal ≤ {goal / 1000:.0f} kB: {'met' if total <= goal else 'MISSED'})" if goal else ""
    print(f"  {name}: {total / 1000:.1f} kB in {len(app)} responses{verdict}; by target "
          + ", ".join(f"{k} {v / 1000:.1f} kB" for k, v in sorted(by_target.items()))
          + (f"; 304s: {sum(t.status == 304 for t in app)}" if app else "")
          + (f"; sign-in redirect {sum(t.bytes for t in sign_in)} B" if sign_in else "")
          + (f"; QR decoder {sum(t.bytes for t in decoder) / 1000:.1f} kB in {len(decoder)}" if decoder
             else "")
          + (f"; fetched twice: {repeats}" if repeats else ""))
    if verbose:
        for t in transfers:
            print(f"      {t.target:15} {t.status} {t.bytes:7} {t.url}  ({t.initiator})")
    return {"bytes": total, "responses": len(app), "decoder": sum(t.bytes for t in decoder),
            "decoder_fetches": len(decoder), "repeats": repeats}


def measure(p, base: str, people: dict, tokens: list[str], password: str, verbose: bool,
            database: Path) -> dict:
    """Run the loads for each person; return their figures."""
    port = _free_port()
    browser = p.chromium.launch(executable_path=_live.chromium_path(),
                                args=[*_live.ARGS, f"--remote-debugging-port={port}"])
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version") as answer:  # noqa: S310 (loopback)
        counter = _cdp.NetworkCounter(json.load(answer)["webSocketDebuggerUrl"])
    figures = {}
    try:
        for role, username in people.items():
            print(f"field_load {role} ({username}):")
            context = browser.new_context(**_live.PHONE)
            page = context.new_page()
            _sign_in(page, base, "/app", username, password, counter)
            figures[(role, "first load")] = _summary("first load", counter.take(), verbose, base)
            page.reload()
            _settled(page)
            figures[(role, "reload")] = _summary("reload", counter.take(), verbose, base)
            page.goto(f"{base}/z/{tokens[0]}")
            _settled(page)
            figures[(role, "zone URL")] = _summary("zone URL (installed)", counter.take(), verbose, base)
            _rename_a_zone(database, tokens[1])
            _next_morning(page)
            page.goto(f"{base}/app")
            page.wait_for_selector("html[data-offline=ready]", state="attached", timeout=60_000)
            _settled(page)
            figures[(role, "renamed")] = _summary(RENAMED, counter.take(), verbose, base)
            context.close()

            context = browser.new_context(**_live.PHONE)
            page = context.new_page()
            _sign_in(page, base, f"/z/{tokens[1]}", username, password, counter)
            figures[(role, "label")] = _summary("new phone from a label", counter.take(), verbose, base)
            context.close()

            context = browser.new_context(**_live.PHONE)
            context.add_init_script(NATIVE_READER)
            page = context.new_page()
            _sign_in(page, base, "/app", username, password, counter)
            figures[(role, "native")] = _summary("first load, phone with BarcodeDetector", counter.take(),
                                                 verbose, base)
            context.close()
    finally:
        counter.close()
        browser.close()
    return figures


def main(argv=None) -> int:
    """Measure and print what Chromium transfers for the field app's loads."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every response")
    parser.add_argument("--district", type=int, default=None, help="hazards of bench/district.py's data set")
    parser.add_argument("--database", type=Path, default=None, help="a seeded demo database to copy")
    args = parser.parse_args(argv)
    with served(args.database, args.district, DEMO_PASSWORD) as (base, database, password), \
            sync_playwright() as p:
        people = _people(database, bool(args.district))
        measure(p, base, people, _zone_tokens(database), password, args.verbose, database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
