"""Browser tests: a live server, Debian's Chromium driven by Playwright at a phone's size, axe-core.

They skip on a machine without Chromium, and fail instead when CI is set (see ../shared/TESTING.md).
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium tries to reach outside hosts; --no-sandbox: we run as root.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--no-sandbox"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "service_workers": "allow"}
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def pytest_configure(config):
    """Give each expect() 15 s: on a loaded 2-core machine downsizing a 12-megapixel photo takes seconds."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    """Mark every test in this folder as a browser test, all in one xdist group.

    `make test` runs the suite on every core (pytest-xdist, --dist loadgroup); the browser tests stay on one
    worker, one after another as on a phone, so their timing (service workers, backoffs, photo downsizing)
    is not shared with a second Chromium, while the other workers run the rest.
    """
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


def chromium_or_skip() -> str:
    """Return Chromium's path; skip without it, or fail when CI is set (CI must run these)."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: CI must run the browser tests "
                    "(apt-get install -y chromium).")
    pytest.skip("Chromium is not installed (apt-get install chromium); set CI to make this fail")


@pytest.fixture(scope="session")
def launch_args():
    """Return the keyword arguments that start Debian's Chromium headless."""
    return {"executable_path": chromium_or_skip(), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def playwright_driver():
    """Start Playwright once per test session."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver, launch_args):
    """Return a running headless Chromium."""
    chromium = playwright_driver.chromium.launch(**launch_args)
    yield chromium
    chromium.close()


@pytest.fixture
def live(app):
    """Serve the app on a free loopback port with CSRF protection on, as in production; yield its URL."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def pwa_copy(app, tmp_path):
    """Serve a copy of pwa/ whose version is recomputed per request, so a test can deploy a change to it."""
    from server import shell

    copy = tmp_path / "pwa"
    shutil.copytree(shell.ROOT, copy)
    app.config.update(PWA_ROOT=str(copy), PWA_VERSION_LIVE=True)
    return copy


@pytest.fixture
def phone(browser):
    """Return a new page in a fresh phone-sized context (its own cookies, storage and service worker)."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


def sign_in(page, base_url, username, password=PASSWORD):
    """Sign in through the real form (the page must be on the sign-in page, or it goes there)."""
    if "/login" not in page.url:
        page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")


def wait_for_service_worker(page, timeout: float = 30.0):
    """Wait until the service worker controls the page (`ready` can resolve while it still activates).

    Bounded: page.evaluate itself never times out, and a page its worker never takes over waited here for ever
    (seen under load before the app asked its worker to claim it); the failure says what the registration
    holds.
    """
    state = page.evaluate("""async (ms) => {
        const controlled = (async () => {
            await navigator.serviceWorker.ready;
            if (!navigator.serviceWorker.controller) await new Promise((r) =>
                navigator.serviceWorker.addEventListener('controllerchange', r, {once: true}));
            return "controlled";
        })();
        const late = new Promise((r) => setTimeout(r, ms)).then(async () => {
            const reg = await navigator.serviceWorker.getRegistration();
            const of = (w) => w ? w.state : "none";
            return `not controlled after ${ms} ms: registration ${reg ? "yes" : "none"}, installing `
                + `${of(reg?.installing)}, waiting ${of(reg?.waiting)}, active ${of(reg?.active)}, `
                + `controller ${navigator.serviceWorker.controller ? "yes" : "none"}; page ${location.href}`;
        });
        return Promise.race([controlled, late]);
    }""", timeout * 1000)
    assert state == "controlled", state


def shot(page, name):
    """Save a screenshot to test-artifacts/ (git-ignored) for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def serious_violations(page) -> list[str]:
    """Run axe-core in the page; return its serious and critical violations, with their targets."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def qr_image(text: str, size: int = 320):
    """Return a QR code of `text` as a white-bordered greyscale Pillow image `size` pixels square."""
    import qrcode
    from PIL import Image

    code = qrcode.QRCode(border=4, box_size=10)
    code.add_data(text)
    return code.make_image().get_image().convert("L").resize((size, size), Image.NEAREST)


def qr_png(text: str) -> dict:
    """Return a photo of a QR label as Playwright's set_input_files wants a file."""
    import io

    buffer = io.BytesIO()
    qr_image(text).save(buffer, "PNG")
    return {"name": "label.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def write_camera_video(path: Path, text: str, width: int = 640, height: int = 480) -> Path:
    """Write a Y4M clip in which a QR label of `text` fills the middle: what Chromium's fake camera shows."""
    from PIL import Image

    frame = Image.new("L", (width, height), 200)
    code = qr_image(text, size=min(width, height) * 3 // 4)
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    y, cb, cr = frame.convert("RGB").convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode()
                     + (b"FRAME\n" + planes) * 2)
    return path


@pytest.fixture
def camera_phone(playwright_driver, launch_args, tmp_path):
    """Return open(text): a phone page whose (fake) camera sees a QR code of `text`, camera allowed."""
    browsers = []

    def open_phone(text):
        video = write_camera_video(tmp_path / f"camera-{len(browsers)}.y4m", text)
        args = [*launch_args["args"], "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}"]
        chromium = playwright_driver.chromium.launch(**{**launch_args, "args": args})
        browsers.append(chromium)
        context = chromium.new_context(**PHONE, permissions=["camera"])
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        return page

    yield open_phone
    for chromium in browsers:
        chromium.close()


def wait_until(page, script: str, timeout: float = 15.0, arg=None):
    """Evaluate `script` (it may be async) until it gives a truthy value; fail after `timeout` seconds.

    (page.wait_for_function does not wait for an async function's promise: it takes the promise as truthy.)
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"still false after {timeout} s: {script}")
        page.wait_for_timeout(100)


# True once the QR decoder (for phones without BarcodeDetector) is in one of the service worker's caches.
DECODER_CACHED = """async () => (await Promise.all((await caches.keys()).map(async (n) =>
    (await caches.open(n)).keys()))).flat().some((r) => r.url.includes("/vendor/jsqr/"))"""
