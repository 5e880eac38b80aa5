"""The field app's shell: who gets it, the service worker, the manifest, the words, the zone look-ups."""

import json
import shutil

import brotli
import pytest

from server import shell


@pytest.mark.parametrize("path", ["/app", "/app/tasks", "/z/abc234defg"])
def test_field_routes_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"


def test_sign_in_returns_to_the_zone(client, auth, make_user, make_zone):
    zone, user = make_zone(), make_user(roles=("patrol",))
    location = client.get(f"/z/{zone.qr_token}").headers["Location"]
    next_url = location.split("next=")[1]
    response = auth.login(user.username, next_url=next_url)
    assert response.headers["Location"] == f"/z/{zone.qr_token}"
    page = client.get(f"/z/{zone.qr_token}")
    assert page.status_code == 200 and b'<script type="module" src="/pwa/js/app.js?v=' in page.data
    assert b"{{V}}" not in page.data and page.headers["Cache-Control"] == "no-cache"


def test_service_worker_is_served_from_the_root_uncached_with_the_version(app, client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    body = response.get_data(as_text=True)
    with app.app_context():
        version = shell.version()
    assert f'const VERSION="{version}";' in body
    files = json.loads(body.split("const FILES=")[1].split(";\n")[0])
    for wanted in ("/app?shell=1", f"/pwa/js/app.js?v={version}", f"/pwa/css/app.css?v={version}",
                   f"/pwa/offline.html?v={version}", f"/pwa/js/qr.js?v={version}"):
        assert wanted in files
    # The QR decoder is for phones without BarcodeDetector only: fetched by them, not precached by all.
    assert not [f for f in files if "/vendor/" in f]


def test_the_precached_shell_is_the_shell_for_anyone(client):
    # Not the sign-in page: the service worker may install while the session has just ended.
    response = client.get("/app?shell=1")
    assert response.status_code == 200 and b'src="/pwa/js/app.js?v=' in response.data
    assert client.get("/app/outbox?shell=1").status_code == 302
    offline = client.get("/pwa/offline.html")
    assert offline.status_code == 200 and "/app" in offline.get_data(as_text=True)


def test_version_changes_when_a_file_changes(app, tmp_path):
    copy = tmp_path / "pwa"
    shutil.copytree(shell.ROOT, copy)
    before = shell.version_of(copy)
    assert shell.version_of(copy) == before
    (copy / "js" / "app.js").write_text((copy / "js" / "app.js").read_text() + "\n// changed\n")
    assert shell.version_of(copy) != before
    app.config.update(PWA_ROOT=str(copy), PWA_VERSION_LIVE=True)
    assert f'"{shell.version_of(copy)}"' in app.test_client().get("/sw.js").get_data(as_text=True)


def test_version_changes_when_the_code_that_serves_the_files_changes(tmp_path):
    # Phones keep each versioned module for a year: a change in how it is served must be a new version.
    changed = tmp_path / "minify.py"
    changed.write_text(shell.MADE_BY.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert shell.version_of(shell.ROOT, changed) != shell.version_of(shell.ROOT)


def test_assets_are_immutable_only_with_the_current_version(app, client):
    with app.app_context():
        version = shell.version()
    fresh = client.get(f"/pwa/js/app.js?v={version}")
    assert fresh.status_code == 200 and fresh.headers["Content-Type"] == "text/javascript"  # always UTF-8
    assert fresh.headers["Cache-Control"] == "max-age=31536000, immutable"
    plain = client.get("/pwa/js/api.js")
    assert plain.headers["Cache-Control"] == "no-cache" and plain.headers.get("ETag")
    assert client.get("/pwa/js/api.js", headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("path", [
    "/pwa/../server/config.py", "/pwa/%2e%2e/server/config.py", "/pwa/nope.js", "/pwa/sw.js"])
def test_nothing_outside_the_shell_files_is_served(client, path):
    assert client.get(path).status_code == 404


def test_modules_import_their_neighbours_at_the_same_version(app, client):
    with app.app_context():
        version = shell.version()
    body = client.get(f"/pwa/js/app.js?v={version}").get_data(as_text=True)
    # A relative import drops the page's ?v=, which would mix two releases during an update.
    assert f'from "./api.js?v={version}";' in body and f'from "./screens/zone.js?v={version}";' in body
    zone = client.get(f"/pwa/js/screens/zone.js?v={version}").get_data(as_text=True)
    assert f'from "../dom.js?v={version}";' in zone and 'from "../dom.js";' not in zone
    assert shell.stamp_imports('import("./x.js"); import \'../y.js\'; "./z.js"', "v1") == (
        'import("./x.js?v=v1"); import \'../y.js?v=v1\'; "./z.js"')


def test_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    data = response.get_json(force=True)
    assert data["name"] == "校园安全巡查" and data["display"] == "standalone" and data["start_url"] == "/app"
    assert {"192x192", "512x512"} <= {i["sizes"] for i in data["icons"]}
    assert any(i["purpose"] == "maskable" for i in data["icons"])
    assert {icon["src"]: client.get(icon["src"]).status_code for icon in data["icons"]} == {
        icon["src"]: 200 for icon in data["icons"]}


def test_words_in_chinese_by_default_and_english_on_request(app, login_as):
    client = login_as("patrol")
    zh = client.get("/api/v1/i18n").get_json()
    assert zh["locale"] == "zh_CN" and zh["messages"]["scan_title"] == "扫码巡查"
    assert client.post("/api/v1/session/locale", json={"locale": "en"}).get_json() == {"locale": "en"}
    en = client.get("/api/v1/i18n").get_json()
    assert en["locale"] == "en" and en["messages"]["scan_title"] == "Scan a zone"
    # Remembered on the account: the desk speaks English too, on another device.
    from tests.conftest import AuthActions

    other = app.test_client()
    AuthActions(other).login(client.user.username)
    assert other.get("/api/v1/i18n").get_json()["locale"] == "en"


@pytest.mark.parametrize(("path", "chinese"), [
    ("/api/v1/i18n", "扫码巡查"),
    ("/api/v1/hazards/transitions", "待复查"),
    ("/api/v1/categories", "校舍安全"),
])
def test_reference_data_comes_as_utf8_packed_once_at_the_best_ratio(login_as, path, chinese):
    phone = login_as("patrol")
    plain = phone.get(path, headers={"Accept-Encoding": "identity"})
    assert chinese.encode() in plain.data  # the characters themselves, not \\u escapes
    packed = phone.get(path, headers={"Accept-Encoding": "br"})
    assert packed.headers["Content-Encoding"] == "br"
    assert packed.data == brotli.compress(plain.data, quality=11)
    assert packed.headers["ETag"] == plain.headers["ETag"].removesuffix('"') + ':br"'


def test_locale_change_refuses_unknown_and_needs_csrf(app, login_as):
    client = login_as("patrol")
    assert client.post("/api/v1/session/locale", json={"locale": "xx"}).status_code == 422
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post("/api/v1/session/locale", json={"locale": "en"})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf"
    token = client.get("/api/v1/session").get_json()["csrf_token"]
    ok = client.post("/api/v1/session/locale", json={"locale": "en"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200


def test_zone_by_code(app, login_as, make_zone):
    zone = make_zone(code="JX-1F-E", name="教学楼一楼东走廊")
    client = login_as("patrol")
    found = client.get("/api/v1/zones/by-code/jx-1f-e")
    assert found.status_code == 200 and found.get_json()["zone"]["token"] == zone.qr_token
    missing = client.get("/api/v1/zones/by-code/NOPE")
    assert missing.status_code == 404 and "NOPE" in missing.get_json()["error"]["message"]


def test_zone_by_code_hides_inactive_zones(app, login_as, make_zone):
    from server.extensions import db
    from server.zones import services
    from server.zones.models import Zone

    zone = make_zone(code="OLD-1")
    with app.app_context():
        services.set_active(db.session.get(Zone, zone.id), False)
        db.session.commit()
    assert login_as("patrol").get("/api/v1/zones/by-code/OLD-1").status_code == 404
