"""The in-app scanner in a real Chromium: the camera (Chromium's fake one, showing a QR label) opens the zone.

Desktop Linux Chromium has no BarcodeDetector, so these run the vendored decoder in its worker, as an iPhone
would; one test gives the page a BarcodeDetector to show that the decoder is then never downloaded.
"""

from playwright.sync_api import expect
from sqlalchemy import select

from server.extensions import db
from server.patrols.models import PatrolVisit
from tests.browser.conftest import (
    DECODER_CACHED,
    qr_png,
    serious_violations,
    shot,
    sign_in,
    wait_for_service_worker,
    wait_until,
)

DECODER = "/pwa/vendor/jsqr/jsQR.js"

# Record the camera streams the page opens, to check that leaving the scanner turns the camera off.
KEEP_STREAMS = """
window.__streams = [];
const original = navigator.mediaDevices?.getUserMedia?.bind(navigator.mediaDevices);
if (original) navigator.mediaDevices.getUserMedia = async (c) => { const s = await original(c);
  window.__streams.push(s); return s; };
"""


ALL_ENDED = "window.__streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended'))"
NOT_A_LABEL = "这不是本校责任区的二维码，请对准责任区标签。"


def _requests(page):
    seen = []
    page.context.on("request", lambda request: seen.append(request.url))
    return seen


def test_the_camera_reads_a_zone_label_and_the_visit_counts_as_on_site(app, live, camera_phone, make_user,
                                                                        make_zone):
    zone = make_zone(name="锅炉房")
    phone = camera_phone(f"https://school.example/z/{zone.qr_token}")  # printed for the public address
    phone.add_init_script(KEEP_STREAMS)
    seen = _requests(phone)
    sign_in(phone, live, make_user(roles=("patrol",)).username)
    phone.goto(f"{live}/app")
    phone.get_by_role("link", name="扫码巡查").click()
    expect(phone.locator("h1")).to_have_text("锅炉房", timeout=15000)
    assert phone.url == f"{live}/z/{zone.qr_token}"
    assert any(DECODER in url for url in seen), "no BarcodeDetector here: the vendored decoder read it"
    assert phone.evaluate("window.__streams.length") == 1
    assert phone.evaluate(ALL_ENDED)

    phone.get_by_role("button", name="未发现隐患").click()
    expect(phone.locator(".visit-status")).to_have_text("已记录：本次巡查未发现隐患。")
    with app.app_context():
        visit = db.session.scalars(select(PatrolVisit)).one()
        assert visit.zone_id == zone.id and visit.on_site and visit.scanned_at is not None
    assert phone.js_errors == []


def test_leaving_the_scanner_turns_the_camera_off(live, camera_phone, make_user):
    phone = camera_phone("not a label, keep looking")
    phone.add_init_script(KEEP_STREAMS)
    sign_in(phone, live, make_user(roles=("patrol",)).username)
    phone.goto(f"{live}/app/scan")
    expect(phone.locator("#scan-status")).to_have_text(NOT_A_LABEL, timeout=15000)
    expect(phone.locator("#scan-video")).to_be_visible()
    assert serious_violations(phone) == []
    shot(phone, "scan-phone")
    phone.go_back()
    expect(phone.locator("#scan-link")).to_be_visible()
    assert phone.evaluate(ALL_ENDED)


def test_without_a_camera_a_photo_of_the_label_or_the_code_opens_the_zone(live, phone, make_user, make_zone):
    zone = make_zone(name="配电室", code="PD-1")
    sign_in(phone, live, make_user(roles=("patrol",)).username)
    phone.goto(f"{live}/app/scan")
    # Headless Chromium has no camera at all: the screen says so and offers the other ways.
    expect(phone.locator("#scan-status")).to_have_text("此处无法使用摄像头，请拍照识别标签或输入责任区编号。")
    expect(phone.locator(".viewfinder")).to_be_hidden()
    assert serious_violations(phone) == []

    phone.set_input_files("#scan-photo", qr_png("https://example.org/somewhere-else"))
    expect(phone.locator("#scan-status")).to_have_text(NOT_A_LABEL)
    blank = qr_png("x") | {"buffer": open_blank_png()}
    phone.set_input_files("#scan-photo", blank)
    expect(phone.locator("#scan-status")).to_have_text("照片中没有找到二维码，请靠近、正对标签重拍。")
    phone.set_input_files("#scan-photo", qr_png(f"{live}/z/{zone.qr_token}"))
    expect(phone.locator("h1")).to_have_text("配电室")

    phone.goto(f"{live}/app/scan")
    phone.fill("#zone-code", "pd-1")
    phone.get_by_role("button", name="打开责任区").click()
    expect(phone.locator("h1")).to_have_text("配电室")
    assert phone.js_errors == []


def open_blank_png() -> bytes:
    """Return a photo with no QR code in it."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (120, 160, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_native_barcode_detector_means_no_decoder_download(live, phone, make_user, make_zone):
    zone = make_zone(name="体育馆")
    phone.add_init_script(f"""
        window.BarcodeDetector = class {{
            static async getSupportedFormats() {{ return ["qr_code", "ean_13"]; }}
            async detect() {{ return [{{ rawValue: "{live}/z/{zone.qr_token}" }}]; }}
        }};""")
    seen = _requests(phone)
    sign_in(phone, live, make_user(roles=("patrol",)).username)
    phone.goto(f"{live}/app")
    expect(phone.locator("#scan-link")).to_be_visible()
    phone.get_by_role("link", name="扫码巡查").click()
    phone.set_input_files("#scan-photo", qr_png("anything: the detector answers"))
    expect(phone.locator("h1")).to_have_text("体育馆")
    phone.wait_for_timeout(500)
    assert not [url for url in seen if "/vendor/" in url], "with BarcodeDetector the decoder is never fetched"


def test_the_scanner_reads_labels_offline_once_the_decoder_is_cached(live, phone, make_user, make_zone):
    zone = make_zone(name="地下车库")
    sign_in(phone, live, make_user(roles=("patrol",)).username)
    phone.goto(f"{live}/app")
    wait_for_service_worker(phone)
    phone.reload()
    expect(phone.locator("#scan-link")).to_be_visible()
    # The home screen warms the decoder (and the zone directory) into the cache on a phone that needs it.
    wait_until(phone, DECODER_CACHED)
    phone.context.set_offline(True)
    phone.get_by_role("link", name="扫码巡查").click()
    phone.set_input_files("#scan-photo", qr_png(f"{live}/z/{zone.qr_token}"))
    expect(phone.locator("h1")).to_have_text("地下车库")
    assert phone.js_errors == []
