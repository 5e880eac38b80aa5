"""Time the phone-side photo pipeline: pwa/js/photos.js downsize() on a 12-megapixel photo, in Chromium.

Run: .venv/bin/python bench/photo_downsize.py [--runs N] [--photo PATH]   (needs Debian's chromium)

A live server on loopback with a throw-away database serves the app; headless Chromium at a phone's size
(360x740, mobile) signs in through /login and opens /app. In the page, the app's own photos.js module (the
same ?v= URL the app loads) is imported and its downsize(file) called on the test photo (a 4032x3024 JPEG
with EXIF orientation 6, from tests.phone_photo), given to a hidden file input as a camera would: EXIF
orientation applied, at most 1600 px on the long edge, JPEG quality 0.8, no metadata. Printed: original and
downsized bytes and their ratio, the output's width x height, and the in-page time of one downsize(): the
first call (cold: decoders and canvas warming up) on its own, then the median and minimum of N more calls.
"""

import argparse
import statistics
import sys
from pathlib import Path

import _live

from tests.phone_photo import phone_photo_path

DOWNSIZE = """async () => {
    const file = document.getElementById('bench-photo').files[0];
    const started = performance.now();
    const blob = await window.benchPhotos.downsize(file);
    const ms = performance.now() - started;
    const bitmap = await createImageBitmap(blob);
    const out = {ms, bytes: blob.size, type: blob.type, width: bitmap.width, height: bitmap.height,
                 input: file.size};
    bitmap.close();
    return out;
}"""


def main() -> int:
    """Downsize the photo in the page N+1 times and print the sizes and times."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs after the cold one (default 7)")
    parser.add_argument("--photo", type=Path, default=None, help="default: tests.phone_photo's 12 MP JPEG")
    args = parser.parse_args()
    photo = args.photo or phone_photo_path()

    with _live.live_app() as live, sync_playwright() as p:
        browser = _live.launch(p)
        page = _live.phone_page(browser)
        _live.sign_in(page, live.base, "/app")
        module = _live.import_module(page, "photos.js", "benchPhotos")
        _live.add_photo_input(page, photo)
        cold = page.evaluate(DOWNSIZE)
        warm = [page.evaluate(DOWNSIZE) for _ in range(args.runs)]
        version = browser.version
        browser.close()

    original = photo.stat().st_size
    sizes = {r["bytes"] for r in [cold, *warm]}
    times = [r["ms"] for r in warm]
    print(f"photo_downsize: {photo.name}, {module.split('/')[-1]} in headless Chromium {version}")
    print(f"photo_downsize: original {original} B ({original / 1e6:.2f} MB); downsized {cold['bytes']} B "
          f"({cold['bytes'] / 1024:.0f} KiB, aim <= 400 KB), {cold['type']}, {cold['width']}x{cold['height']}"
          + ("" if len(sizes) == 1 else f" (sizes vary between runs: {sorted(sizes)})"))
    print(f"photo_downsize: ratio downsized/original {cold['bytes'] / original:.3f}")
    print(f"photo_downsize: cold (first call) {cold['ms']:.0f} ms; "
          f"then median {statistics.median(times):.0f} ms, min {min(times):.0f} ms over {len(times)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
