"""Bytes a phone fetches for the field app: the first load, and a repeat load with the shell cached.

Run: .venv/bin/python bench/field_load.py      (needs Debian's chromium; also part of `make bench`)

A live server on loopback with a throw-away database counts what it sends, per request. Headless Chromium
at a phone's size signs in and lands on a zone's QR URL (the shell, its modules and CSS, the manifest, the
service worker and its precache, the data): that is the first load. Then it opens another zone's QR URL:
the repeat load. Sizes are gzip -6 of each body (what a TLS proxy such as nginx sends: the figure earlier
releases were measured by), raw, and as the app sent them (it compresses its own answers, brotli or gzip, when
the browser accepts them; see server/compression.py).
"""

import gzip
import sys

import _live
import brotli

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


class Counter:
    """WSGI middleware that records the bytes of every response body, by path: raw, gzip -6, as sent."""

    def __init__(self, app):
        self.app, self.log = app, []

    def __call__(self, environ, start_response):
        encoding = []

        def started(status, headers, exc_info=None):
            encoding.extend(v for k, v in headers if k.lower() == "content-encoding")
            return start_response(status, headers, exc_info)

        sent = b"".join(self.app(environ, started))
        body = DECODE[encoding[0]](sent) if encoding else sent
        url = environ["PATH_INFO"] + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        self.log.append((url, len(body), len(gzip.compress(body, 6)), len(sent)))
        return [sent]


def _report(name, rows):
    shell = [r for r in rows if not r[0].startswith(("/api/", "/login", "/static/"))]
    data = [r for r in rows if r[0].startswith("/api/")]
    # The service worker's precache asks for the files the page has just loaded; Chromium answers it from its
    # HTTP cache or not, depending on timing. Each file once is what a phone must fetch; the total, the most.
    once = {r[0]: r for r in shell}.values()
    print(f"field_load {name}: shell {sum(r[2] for r in once)} B gzip ({sum(r[1] for r in once)} B raw, "
          f"{sum(r[3] for r in once)} B as the app sent them, {len(once)} files; "
          f"{sum(r[2] for r in shell)} B gzip in {len(shell)} requests counting repeats); "
          f"API data {sum(r[2] for r in data)} B gzip ({len(data)} requests)")


def main() -> int:
    """Measure and print the first-load and repeat-load bytes of the field app."""
    from playwright.sync_api import sync_playwright

    with _live.live_app(zones=26) as live, sync_playwright() as p:
        counter = Counter(live.app.wsgi_app)
        live.app.wsgi_app = counter
        browser = _live.launch(p)
        page = _live.phone_page(browser)
        _live.fill_sign_in(page, live.base, f"/z/{live.zone_tokens[0]}")
        counter.log.clear()
        _live.submit_sign_in(page)
        page.wait_for_selector("h1")
        _live.wait_for_service_worker(page)
        page.wait_for_load_state("networkidle")
        first = list(counter.log)
        counter.log.clear()
        page.goto(f"{live.base}/z/{live.zone_tokens[1]}")
        page.wait_for_selector("h1")
        page.wait_for_load_state("networkidle")
        repeat = list(counter.log)
        browser.close()
    _report("first load", first)
    _report("repeat load", repeat)
    decoder = (_live.ROOT / "pwa" / "vendor" / "jsqr" / "jsQR.js").read_bytes()
    print(f"field_load QR decoder (fetched once, after the home screen, by phones without BarcodeDetector): "
          f"{len(gzip.compress(decoder, 6))} B gzip ({len(decoder)} B raw)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
