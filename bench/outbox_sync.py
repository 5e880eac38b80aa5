"""Time the field app's outbox sending 50 hazard reports queued offline, against a plain HTTP client.

Run: .venv/bin/python bench/outbox_sync.py [--reports N] [--rounds R] [--photo PATH]  (needs chromium)

A live server on loopback (werkzeug, threaded, as the browser tests use; SQLite in a temporary folder; CSRF
checks on, as in production). Headless Chromium at a phone's size signs in through /login and opens /app.
In the page, photos.js downsize() makes one phone-sized JPEG from the 12-megapixel test photo (reused for
every report). The context goes offline; outbox.js enqueue() keeps N reports (fields and the photo) in
IndexedDB. Timed: from going back online plus syncNow() until list() is empty (the outbox sends one item at
a time, in order; it asks the session and its CSRF token, /api/v1/session?fresh=1, once per sending run and
again only when the server refuses the token, as it has since issue 12). The baseline is a plain client
(Python's http.client, with the browser's session cookie, over one kept-alive connection) POSTing the same
multipart bodies (new client ids) one after another with the one CSRF token it took once: what a client needs,
no extra token request per report. A third run takes a fresh token per report as the outbox did before (1.31×
the plain client), to show what that extra request costs. The three runs are interleaved R times (the order
reversed every other round, so machine load and a growing database hit each alike); the figures are medians
over the rounds. The database is checked after each run: N new hazards, each with its one photo. One report is
sent before any timing, so no run pays the server's first-request warm-up.
"""

import argparse
import base64
import http.client
import json
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import _live

from tests.phone_photo import phone_photo_path

DESCRIPTION = "消防通道堆放杂物（基准测试 {n}）"
DOWNSIZE_ONCE = """async () => {
    const file = document.getElementById('bench-photo').files[0];
    window.benchBlob = await window.benchPhotos.downsize(file);
    const bitmap = await createImageBitmap(window.benchBlob);
    const size = `${bitmap.width}x${bitmap.height}`;
    bitmap.close();
    const url = await new Promise((resolve) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);
        reader.readAsDataURL(window.benchBlob);
    });
    return {size, base64: url.slice(url.indexOf(',') + 1)};
}"""
ENQUEUE = """async ([n, zoneId, categoryId, description]) => {
    const started = performance.now();
    const ids = [];
    for (let i = 1; i <= n; i++) {
        const id = crypto.randomUUID();
        await window.benchOutbox.enqueue({
            id, url: '/api/v1/hazards', label: `bench ${i}`,
            fields: {client_id: id, zone_id: zoneId, category_id: categoryId, severity: 'general',
                     description: description.replace('{n}', i), device_at: new Date().toISOString()},
            files: {photos: [window.benchBlob]},
        });
        ids.push(id);
    }
    return {ids, ms: performance.now() - started, waiting: (await window.benchOutbox.list()).length};
}"""
SYNC = """async (timeoutMs) => {
    const outbox = window.benchOutbox;
    const started = performance.now();
    await outbox.syncNow();
    for (;;) {
        const items = await outbox.list();
        if (!items.length) return {ms: performance.now() - started};
        const stuck = items.filter((i) => i.state === 'attention');
        if (stuck.length) return {error: `needs attention: ${stuck[0].error}`, left: items.length};
        if (performance.now() - started > timeoutMs) return {error: 'timed out', left: items.length};
        await new Promise((r) => setTimeout(r, 5));
    }
}"""


class RequestLog:
    """WSGI middleware that records each request: method, path, status, when the server began and ended."""

    def __init__(self, app):
        self.app, self.events, self.lock = app, [], threading.Lock()

    def __call__(self, environ, start_response):
        began, statuses = time.perf_counter(), []

        def start(status, headers, exc_info=None):
            statuses.append(status.split()[0])
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, start))
        with self.lock:
            self.events.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], statuses[-1], began,
                                time.perf_counter()))
        return [body]

    def take(self) -> list[tuple]:
        """Return the requests recorded so far, in order of arrival, and start again."""
        with self.lock:
            events, self.events = sorted(self.events, key=lambda e: e[3]), []
        return events


class Client:
    """A plain HTTP client on one kept-alive connection, carrying the browser's cookies."""

    def __init__(self, base: str, cookies: list[dict]):
        url = urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        self.jar = {c["name"]: c["value"] for c in cookies}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """Send one request; keep any cookie it sets; return (status, JSON answer)."""
        cookie = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        headers = {"Accept": "application/json", "Cookie": cookie, **(headers or {})}
        self.conn.request(method, path, body, headers)
        response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.jar.update({k: m.value for k, m in SimpleCookie(header).items()})
        return response.status, json.loads(data) if data else None

    def csrf_token(self) -> str:
        """Return a fresh CSRF token, as the outbox takes once per sending run."""
        status, data = self.request("GET", "/api/v1/session?fresh=1")
        if status != 200 or not data.get("user"):
            raise SystemExit(f"session: {status} {data}")
        return data["csrf_token"]

    def report(self, token: str, fields: dict, photo: bytes) -> None:
        """POST one hazard report as the outbox does (multipart, photo part "photos"); check the echo."""
        boundary, body = multipart(fields, photo)
        status, data = self.request("POST", "/api/v1/hazards", body,
                                    {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                     "X-CSRFToken": token})
        if status != 201 or data.get("client_id") != fields["client_id"]:
            raise SystemExit(f"report: {status} {data}")


def multipart(fields: dict, photo: bytes) -> tuple[str, bytes]:
    """Return a boundary and the body the outbox's FormData makes: the fields, then photos-1.jpg."""
    boundary = f"----bench{uuid.uuid4().hex}"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="photos-1.jpg"\r\n'
                 "Content-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return boundary, b"".join(parts)


def report_fields(live, n: int) -> dict:
    """Return a report's fields with a new client id, as the field app fills them in."""
    client_id = str(uuid.uuid4())
    return {"client_id": client_id, "zone_id": live.zone_ids[0], "category_id": live.category_id,
            "severity": "general", "description": DESCRIPTION.format(n=n),
            "device_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")}


OUTBOX = "outbox"
PLAIN = "plain client (one CSRF token)"
FRESH = "plain client, fresh token per report"


def plain_run(live, log: "RequestLog", page, photo: bytes, count: int, fresh_token: bool) -> tuple:
    """POST count reports one after another; return the seconds, the requests seen and what was saved."""
    client = Client(live.base, page.context.cookies(live.base))
    token = client.csrf_token()  # a client's one token, taken before it starts (not timed)
    log.take()
    ids = []
    started = time.perf_counter()
    for n in range(1, count + 1):
        fields = report_fields(live, n)
        client.report(client.csrf_token() if fresh_token else token, fields, photo)
        ids.append(fields["client_id"])
    seconds = time.perf_counter() - started
    return seconds, log.take(), check_saved(live, ids)


def outbox_run(page, live, log: "RequestLog", count: int) -> tuple:
    """Queue count reports offline, time the outbox sending them; return the seconds, requests and saved."""
    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    queued = page.evaluate(ENQUEUE, [count, live.zone_ids[0], live.category_id, DESCRIPTION])
    if queued["waiting"] != count:
        raise SystemExit(f"the outbox holds {queued['waiting']} items, not {count}")
    log.take()
    started = time.perf_counter()
    page.context.set_offline(False)
    synced = page.evaluate(SYNC, 120_000)
    seconds = time.perf_counter() - started
    if "error" in synced:
        raise SystemExit(f"outbox: {synced['error']} ({synced['left']} left)")
    return seconds, log.take(), check_saved(live, queued["ids"])


def check_saved(live, ids: list[str]) -> str:
    """Check in the database that each client id made one hazard with one photo on disk; describe it."""
    from sqlalchemy import func, select

    from server.extensions import db
    from server.hazards.models import Hazard
    from server.media.storage import get_storage

    with live.app.app_context():
        hazards = db.session.scalars(select(Hazard).where(Hazard.client_id.in_(ids))).all()
        storage = get_storage()
        with_photo = sum(1 for h in hazards
                         if len(h.photos) == 1 and storage.exists(h.photos[0].key)
                         and storage.exists(h.photos[0].thumb_key))
        total = db.session.scalar(select(func.count(Hazard.id)))
        db.session.remove()
    if len(hazards) != len(ids) or with_photo != len(ids):
        raise SystemExit(f"expected {len(ids)} hazards with one photo each; found {len(hazards)} hazards, "
                         f"{with_photo} with their photo")
    return f"{len(hazards)} hazards created, each with its photo ({total} in the database)"


def describe(events: list[tuple]) -> str:
    """Return the requests' counts by method, path and status, and the time the server spent on them."""
    counts = Counter(e[:3] for e in events)
    busy = sum(e[4] - e[3] for e in events)
    return (", ".join(f"{n} {method} {path} {status}" for (method, path, status), n in sorted(counts.items()))
            + f"; server busy {busy:.2f} s")


def gaps_after_reports(events: list[tuple]) -> list[float]:
    """Return the milliseconds between the server's answer to each report and the next request's arrival."""
    return [1000 * (b[3] - a[4]) for a, b in zip(events, events[1:], strict=False)
            if a[:2] == ("POST", "/api/v1/hazards")]


def main() -> int:
    """Time the outbox and the plain clients on N reports, interleaved R times; print the figures."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the three runs")
    parser.add_argument("--photo", type=Path, default=None, help="default: tests.phone_photo's 12 MP JPEG")
    args = parser.parse_args()
    photo_path = args.photo or phone_photo_path()
    count = args.reports

    with _live.live_app(config={"WTF_CSRF_ENABLED": True}) as live, sync_playwright() as p:
        log = RequestLog(live.app.wsgi_app)
        live.app.wsgi_app = log
        browser = _live.launch(p)
        page = _live.phone_page(browser)
        _live.sign_in(page, live.base, "/app")
        _live.import_module(page, "photos.js", "benchPhotos")
        _live.import_module(page, "outbox.js", "benchOutbox")
        _live.add_photo_input(page, photo_path)
        made = page.evaluate(DOWNSIZE_ONCE)
        photo = base64.b64decode(made["base64"])
        client = Client(live.base, page.context.cookies(live.base))
        client.report(client.csrf_token(), report_fields(live, 0), photo)  # warm-up, not counted

        runs = {OUTBOX: lambda: outbox_run(page, live, log, count),
                PLAIN: lambda: plain_run(live, log, page, photo, count, fresh_token=False),
                FRESH: lambda: plain_run(live, log, page, photo, count, fresh_token=True)}
        times: dict[str, list[float]] = {kind: [] for kind in runs}
        last: dict[str, tuple] = {}
        for round_ in range(args.rounds):
            for kind in (list(runs) if round_ % 2 == 0 else list(runs)[::-1]):
                seconds, requests, saved = runs[kind]()
                times[kind].append(seconds)
                last[kind] = (requests, saved)
        version = browser.version
        browser.close()

    print(f"outbox_sync: {count} reports, one photo each: {len(photo)} B ({len(photo) / 1024:.0f} KiB) "
          f"{made['size']} JPEG from photos.js downsize() of {photo_path.name}; Chromium {version}; "
          f"werkzeug threaded server, SQLite, loopback, CSRF on; {args.rounds} interleaved rounds")
    median = {kind: statistics.median(values) for kind, values in times.items()}
    for kind, values in times.items():
        requests, saved = last[kind]
        print(f"outbox_sync: {kind}: median {median[kind]:.2f} s ({count / median[kind]:.1f} reports/s), "
              f"rounds " + ", ".join(f"{v:.2f}" for v in values) + f" s; {saved}")
        print(f"outbox_sync:   requests seen (last round): {describe(requests)}")
        if kind == OUTBOX:
            gaps = gaps_after_reports(requests)
            print(f"outbox_sync:   in the browser between a report's answer and the next request: median "
                  f"{statistics.median(gaps):.0f} ms, total {sum(gaps) / 1000:.2f} s")
    print(f"outbox_sync: ratio outbox / plain client: {median[OUTBOX] / median[PLAIN]:.2f} "
          f"(per round " + ", ".join(f"{o / b:.2f}" for o, b in zip(times[OUTBOX], times[PLAIN], strict=True))
          + f"); the plain client with a token per report: {median[FRESH] / median[PLAIN]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
