"""The outbox in a real Chromium: records made with no signal wait on the phone and arrive exactly once."""

import io
import re

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from server.extensions import db
from server.hazards.models import Category, Hazard, Photo
from server.media.storage import get_storage
from server.patrols.models import PatrolVisit
from server.zones import services as zones
from server.zones.models import Zone
from tests.browser.conftest import (
    DECODER_CACHED,
    serious_violations,
    shot,
    sign_in,
    wait_for_service_worker,
    wait_until,
)
from tests.phone_photo import phone_photo_path

READY = re.compile(r"^(本机已可在无信号时使用。|Ready to work with no signal\.)$")

def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _open_report_form(page, live, zone, description):
    page.goto(f"{live}/z/{zone.qr_token}")
    page.get_by_role("link", name="上报隐患").click()
    page.set_input_files("#photos", str(phone_photo_path()))
    expect(page.locator(".thumbs img")).to_have_count(1)
    page.locator("label.choice", has_text="消防安全").click()
    page.fill("#description", description)


def _report_offline(page, live, zone, description):
    """Fill in a report, lose the signal, send it: wait until the phone says it is kept."""
    _open_report_form(page, live, zone, description)
    page.context.set_offline(True)
    page.get_by_role("button", name="上报", exact=True).click()
    expect(page.locator(".notice-ok")).to_have_text("已保存在本机，有网络时会自动发送。")


def test_report_made_offline_is_kept_and_sent_once_on_reconnect(app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone(name="锅炉房")
    sign_in(phone, live, patrol.username)
    _report_offline(phone, live, zone, "压力表读数异常")
    expect(phone.locator(".notice-ok")).to_have_text("已保存在本机，有网络时会自动发送。")
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    assert _count(app, Hazard) == 0

    phone.context.set_offline(False)  # the `online` event sends it
    expect(phone.locator("#outbox-link .count")).to_have_count(0, timeout=15000)
    assert _count(app, Hazard) == 1
    with app.app_context():
        photo = db.session.scalars(select(Photo)).one()
        assert Image.open(io.BytesIO(get_storage().read(photo.key))).size == (1200, 1600)
    phone.goto(f"{live}/app/outbox")
    expect(phone.locator("#outbox-summary")).to_contain_text("全部已发送")
    assert serious_violations(phone) == []


def test_server_errors_are_retried_and_nothing_is_lost(app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    sign_in(phone, live, patrol.username)
    failures = {"left": 2}

    def flaky(route):
        if failures["left"] > 0:
            failures["left"] -= 1
            return route.fulfill(status=500, body="oops")
        return route.continue_()

    phone.route("**/api/v1/hazards", flaky)
    _open_report_form(phone, live, zone, "灭火器过期")
    phone.get_by_role("button", name="上报", exact=True).click()
    expect(phone.locator(".notice-ok")).to_have_text("已保存在本机，有网络时会自动发送。")
    expect(phone.locator("#outbox-link .count")).to_have_count(0, timeout=20000)  # backoff 2 s, then 4 s
    assert failures["left"] == 0 and _count(app, Hazard) == 1


def test_lost_acknowledgement_makes_no_duplicate(app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    sign_in(phone, live, patrol.username)
    dropped = {"done": False}

    def commit_then_drop(route):
        if not dropped["done"]:
            dropped["done"] = True
            route.fetch()  # the server commits the record…
            return route.abort("connectionreset")  # …and the answer never reaches the phone
        return route.continue_()

    phone.route("**/api/v1/hazards", commit_then_drop)
    _open_report_form(phone, live, zone, "护栏断裂")
    phone.get_by_role("button", name="上报", exact=True).click()
    expect(phone.locator(".notice-ok")).to_have_text("已保存在本机，有网络时会自动发送。")
    expect(phone.locator("#outbox-link .count")).to_have_count(0, timeout=20000)
    assert dropped["done"] and _count(app, Hazard) == 1


def test_refused_record_needs_attention_and_blocks_nothing(app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    closing, other = make_zone(name="旧仓库"), make_zone(name="西侧门")
    sign_in(phone, live, patrol.username)
    _report_offline(phone, live, closing, "屋顶漏水")
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    with app.app_context():  # meanwhile the zone is taken out of use
        zones.set_active(db.session.get(Zone, closing.id), False)
        db.session.commit()
    phone.context.set_offline(False)
    expect(phone.locator("#outbox-link .count-attention")).to_have_text("1", timeout=15000)
    # A later record still goes through.
    phone.goto(f"{live}/z/{other.qr_token}")
    phone.get_by_role("button", name="未发现隐患").click()
    expect(phone.locator(".visit-status")).to_have_text("已记录：本次巡查未发现隐患。")
    assert _count(app, PatrolVisit) == 1 and _count(app, Hazard) == 0

    phone.goto(f"{live}/app/outbox")
    item = phone.locator(".outbox-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("需要处理")
    expect(item.locator(".notice-error")).to_contain_text("旧仓库")
    assert serious_violations(phone) == []
    shot(phone, "outbox-attention-phone")
    phone.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="丢弃").click()
    expect(phone.locator(".outbox-item")).to_have_count(0)
    expect(phone.locator("#outbox-summary")).to_contain_text("全部已发送")


def test_a_refused_report_is_edited_and_sent_again_once(app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone(name="配电间")
    sign_in(phone, live, patrol.username)
    _report_offline(phone, live, zone, "电缆外皮破损")
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    with app.app_context():  # meanwhile the category chosen is retired by the admin
        fire = db.session.scalar(select(Category).where(Category.code == "fire"))
        fire.active = False
        db.session.commit()
    phone.context.set_offline(False)
    expect(phone.locator("#outbox-link .count-attention")).to_have_text("1", timeout=15000)
    phone.goto(f"{live}/app/outbox")
    item = phone.locator(".outbox-item")
    expect(item.locator(".notice-error")).to_have_text("请选择类别。")
    expect(item).to_contain_text("1 张照片")
    item.get_by_role("button", name="编辑").click()
    expect(item.get_by_label("类别")).to_be_focused()
    item.get_by_label("类别").select_option(label="用电安全")
    item.get_by_label("严重程度").select_option(label="较大")
    item.get_by_label("描述").fill("电缆外皮破损，铜线外露")
    assert serious_violations(phone) == []
    shot(phone, "outbox-edit-phone")
    item.get_by_role("button", name="保存并发送").click()
    expect(phone.locator("#outbox-summary")).to_contain_text("全部已发送", timeout=15000)
    with app.app_context():
        hazard = db.session.scalars(select(Hazard)).one()
        assert (hazard.category.code, hazard.severity, hazard.description) == ("electricity", "major",
                                                                             "电缆外皮破损，铜线外露")
        assert len(db.session.scalars(select(Photo).where(Photo.hazard_id == hazard.id)).all()) == 1


def test_a_whole_walk_offline_survives_closing_the_browser(app, live, playwright_driver, launch_args,
                                                           tmp_path, make_user, make_zone):
    from tests.browser.conftest import PHONE

    patrol = make_user(roles=("patrol",))
    walk = [make_zone(name=f"地下室{n}") for n in range(3)]
    profile = tmp_path / "phone-profile"

    # Signed in once, online: the app installs itself and caches what the field needs.
    context = playwright_driver.chromium.launch_persistent_context(str(profile), **launch_args, **PHONE)
    page = context.new_page()
    sign_in(page, live, patrol.username)
    page.goto(f"{live}/app")
    expect(page.locator("#scan-link")).to_be_visible()
    wait_for_service_worker(page)
    page.reload()
    page.wait_for_load_state("networkidle")

    # No signal for the whole walk, in three zones never opened on this phone: a first round finds nothing
    # (3 "no hazard" visits); a second round finds 5 hazards, reported with photos from each zone's page.
    context.set_offline(True)
    for zone in walk:
        page.goto(f"{live}/z/{zone.qr_token}")
        expect(page.locator("h1")).to_have_text(zone.name)
        page.get_by_role("button", name="未发现隐患").click()
        expect(page.locator(".visit-status")).to_have_text("已保存在本机，有网络时会自动发送。")
    descriptions = []
    for n, zone in enumerate(walk):
        page.goto(f"{live}/z/{zone.qr_token}")
        for k in range(2 if n < 2 else 1):
            description = f"{zone.name} 隐患 {k + 1}"
            descriptions.append(description)
            page.get_by_role("link", name="上报隐患").click()
            page.set_input_files("#photos", str(phone_photo_path()))
            expect(page.locator(".thumbs img")).to_have_count(1)
            page.locator("label.choice", has_text="消防安全").click()
            page.fill("#description", description)
            page.get_by_role("button", name="上报", exact=True).click()
            expect(page.locator(".notice-ok")).to_have_text("已保存在本机，有网络时会自动发送。")
    expect(page.locator("#outbox-link .count")).to_have_text("8")
    assert _count(app, Hazard) == 0 and _count(app, PatrolVisit) == 0
    context.close()

    # The next morning, with signal: the app opens and sends everything, exactly once.
    context = playwright_driver.chromium.launch_persistent_context(str(profile), **launch_args, **PHONE)
    page = context.new_page()
    page.goto(f"{live}/app")
    expect(page.locator("#outbox-link .count")).to_have_count(0, timeout=30000)
    page.goto(f"{live}/app/outbox")
    expect(page.locator("#outbox-summary")).to_contain_text("全部已发送")
    context.close()
    assert _count(app, Hazard) == 5
    with app.app_context():
        results = sorted(db.session.scalars(select(PatrolVisit.result)))
        # 3 "no hazard" visits, and one visit per zone opened in the second round (its hazards share it).
        assert results == ["hazards_found"] * 3 + ["no_hazard"] * 3
        assert sorted(db.session.scalars(select(Hazard.description))) == sorted(descriptions)
        photos = db.session.scalars(select(Photo)).all()
        assert len(photos) == 5
        for photo in photos:
            assert Image.open(io.BytesIO(get_storage().read(photo.key))).size == (1200, 1600)


def test_items_wait_through_an_ended_session_and_go_after_sign_in(app, live, phone, make_user, make_zone):
    from server.auth import services as users
    from server.auth.models import User

    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    sign_in(phone, live, patrol.username)
    # The outbox is opened offline below: its page comes from the worker, which a person waits for too.
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    _report_offline(phone, live, zone, "电线老化")
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    with app.app_context():  # the session ends meanwhile (signed out elsewhere, or expired)
        users.end_sessions(db.session.get(User, patrol.id))
        db.session.commit()
    phone.goto(f"{live}/app/outbox")  # served by the service worker: still offline
    expect(phone.locator(".outbox-item")).to_have_count(1)
    phone.context.set_offline(False)  # back online: the server answers "sign in", the app asks for it
    # The app asks for a sign-in: on the sign-in page, or with a banner.
    expect(phone.locator("#signin-banner").or_(phone.locator("#username"))).to_be_visible()
    assert _count(app, Hazard) == 0
    if "/login" not in phone.url:
        phone.locator("#signin-banner a").click()
    sign_in(phone, live, patrol.username)  # and comes back to the outbox, which sends what waited
    expect(phone.locator("#outbox-summary")).to_contain_text("全部已发送", timeout=15000)
    assert _count(app, Hazard) == 1


def _open_task_then_lose_signal(phone, live, hazard, form):
    """Sign in as the hazard's rectifier, open it from "my tasks", wait for `form`, then go offline."""
    sign_in(phone, live, hazard.people.rectifier.username)
    phone.goto(f"{live}/app")
    phone.locator("#my-tasks a", has_text=hazard.description).click()
    expect(phone.locator(form)).to_be_visible()
    phone.context.set_offline(True)


def test_rectification_made_offline_moves_the_hazard_when_it_syncs(app, live, phone, make_hazard):
    hazard = make_hazard("assigned", description="配电箱未上锁")
    _open_task_then_lose_signal(phone, live, hazard, "#act-submit")
    phone.set_input_files("#act-submit-photos", str(phone_photo_path()))
    phone.fill("#act-submit-note", "已加锁")
    phone.get_by_role("button", name="提交整改").last.click()
    expect(phone.locator(".notice-ok")).to_have_text("已保存在本机，有网络时会自动发送。")
    with app.app_context():
        assert db.session.get(Hazard, hazard.id).state == "assigned"
    phone.context.set_offline(False)
    expect(phone.locator("#outbox-link .count")).to_have_count(0, timeout=15000)
    with app.app_context():
        row = db.session.get(Hazard, hazard.id)
        assert row.state == "awaiting_recheck"
        assert [p.kind for p in db.session.scalars(select(Photo).where(Photo.hazard_id == row.id))] == [
            "before", "after"]


def test_a_deferral_asked_offline_reaches_the_supervisors(app, live, phone, make_hazard):
    from datetime import date, timedelta

    hazard = make_hazard("assigned", description="消防水泵需更换")
    _open_task_then_lose_signal(phone, live, hazard, "details.deferral")  # the pump room: a basement
    phone.locator("details.deferral summary").click()  # a deferral waits behind its disclosure
    later = (date.today() + timedelta(days=20)).isoformat()
    phone.fill("#act-request_deferral-note", "配件需厂家订货，约两周到货")
    phone.fill("#act-request_deferral-date", later)
    phone.get_by_role("button", name="申请延期").last.click()
    expect(phone.locator(".notice-ok")).to_have_text("已保存在本机，有网络时会自动发送。")
    phone.context.set_offline(False)
    expect(phone.locator("#outbox-link .count")).to_have_count(0, timeout=15000)
    with app.app_context():
        row = db.session.get(Hazard, hazard.id)
        assert row.state == "assigned" and row.deferral_pending
        assert row.deferral_reason == "配件需厂家订货，约两周到货"


def test_a_new_version_is_picked_up_without_losing_the_outbox(app, live, phone, make_user, make_zone,
                                                              pwa_copy):
    from server import shell

    copy = pwa_copy
    old = shell.version_of(copy)
    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    sign_in(phone, live, patrol.username)  # lands on /app, which registers the worker
    # (The race of a page opened while the worker activates is tests/browser/test_worker_claim.py's.)
    wait_for_service_worker(phone)
    phone.reload()  # home, now under the worker, puts the QR decoder this phone needs into its cache
    wait_until(phone, DECODER_CACHED)
    phone.route("**/api/v1/hazards", lambda route: route.abort("internetdisconnected"))  # no signal for it
    _open_report_form(phone, live, zone, "新版本发布前的记录")
    phone.get_by_role("button", name="上报", exact=True).click()
    expect(phone.locator("#outbox-link .count")).to_have_text("1")

    # Deploy: a file of the app changes, so its version and sw.js change.
    app_js = copy / "js" / "app.js"
    app_js.write_text(app_js.read_text() + "\n// release 2\n")
    new = shell.version_of(copy)
    assert new != old
    phone.reload()
    # It opens from the cache as it was; the new release installs beside it and takes over.
    wait_until(phone, f"""async () => (await caches.keys()).includes("shell-{new}")
                          && !(await caches.keys()).includes("shell-{old}")""")
    expect(phone.locator("#new-version")).to_be_visible()
    # The QR decoder this phone fetched (no BarcodeDetector here) outlives the release: scans stay offline.
    assert phone.evaluate("""async () => {
        const vendor = (await caches.keys()).filter((n) => n.startsWith("vendor-"));
        return vendor.length === 1 && (await (await caches.open(vendor[0])).keys())
            .some((r) => r.url.includes("/vendor/jsqr/"));
    }""")
    phone.reload()
    expect(phone.locator(f"script[src='/pwa/js/app.js?v={new}']")).to_have_count(1)
    expect(phone.locator("#outbox-link .count")).to_have_text("1")  # the outbox survived the update

    # The signal goes, then comes back: the outbox sends by itself. (Not a tap on "send now": the outbox also
    # retries on its own backoff, and a record it has sent takes that button away, so a test tapping it raced
    # the app's own retry and waited out its 30 s for a button rightly gone.)
    phone.context.set_offline(True)
    phone.unroute("**/api/v1/hazards")
    phone.get_by_role("link", name="待发送").click()
    expect(phone.locator("#outbox-summary")).to_contain_text("有 1 条记录等待发送")
    phone.context.set_offline(False)
    expect(phone.locator("#outbox-summary")).to_contain_text("全部已发送", timeout=15000)
    assert _count(app, Hazard) == 1


def test_items_kept_by_the_first_outbox_version_still_go_with_their_photos(app, live, phone, make_user,
                                                                          make_zone):
    """A phone that kept records under IndexedDB version 1 (photos inline) upgrades without losing them."""
    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    with app.app_context():
        category = db.session.scalar(select(Category.id).where(Category.code == "fire"))
    photo = phone_photo_bytes_small()
    phone.goto(f"{live}/login")  # same origin, no app code yet: the old database is made by hand
    phone.evaluate("""async ({zone, category, photo}) => {
        const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0)).buffer;
        const db = await new Promise((ok, fail) => { const r = indexedDB.open("xunjian", 1);
            r.onupgradeneeded = () => r.result.createObjectStore("outbox", { keyPath: "id" });
            r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
        const id = "0f3c1d9e-0000-4000-8000-00000000v1v1".replace("v1v1", "a1a1");
        await new Promise((ok) => { const tx = db.transaction("outbox", "readwrite");
            tx.objectStore("outbox").put({ id, url: "/api/v1/hazards", label: "旧版本的记录",
                fields: { client_id: id, zone_id: zone, category_id: category, severity: "general",
                          description: "旧版本保存的隐患", device_at: new Date().toISOString() },
                files: { photos: [{ data: bytes, type: "image/jpeg" }] },
                created_at: new Date().toISOString(), state: "waiting", attempts: 0, error: null });
            tx.oncomplete = ok; });
        db.close();
    }""", {"zone": zone.id, "category": category, "photo": photo})
    sign_in(phone, live, patrol.username)
    phone.goto(f"{live}/app/outbox")
    expect(phone.locator("#outbox-summary")).to_contain_text("全部已发送", timeout=15000)
    with app.app_context():
        hazard = db.session.scalars(select(Hazard)).one()
        assert hazard.description == "旧版本保存的隐患"
        assert len(db.session.scalars(select(Photo).where(Photo.hazard_id == hazard.id)).all()) == 1


def phone_photo_bytes_small() -> str:
    """Return a small JPEG, base64, as the phone would have stored it."""
    import base64

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 90, 40)).save(buffer, "JPEG", quality=80)
    return base64.b64encode(buffer.getvalue()).decode()


def test_signing_out_on_the_desk_leaves_nothing_of_that_person_offline(app, live, phone, make_user):
    patrol = make_user(display_name="甲老师", roles=("patrol", "supervisor"))
    sign_in(phone, live, patrol.username)
    phone.goto(f"{live}/app")
    wait_for_service_worker(phone)
    phone.reload()
    expect(phone.locator("h1")).to_have_text("您好，甲老师")
    phone.goto(f"{live}/desk")
    phone.locator(".bar-menu summary").click()  # the desk header's menu holds it at 360 px
    phone.get_by_role("button", name="退出").click()
    expect(phone.locator("#username")).to_be_visible()
    phone.context.set_offline(True)
    phone.goto(f"{live}/app")  # the shell opens from the cache, but as nobody
    expect(phone.locator("main .notice-error")).to_be_visible()
    expect(phone.locator("body")).not_to_contain_text("甲老师")


def test_a_record_waits_for_the_person_who_made_it(app, live, phone, make_user, make_zone):
    from server.auth import services as users
    from server.auth.models import User

    first, second = make_user(display_name="甲老师"), make_user(display_name="乙老师")
    zone = make_zone()
    sign_in(phone, live, first.username)
    _report_offline(phone, live, zone, "地面湿滑")
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    with app.app_context():  # the first person's session ends; someone else picks up the phone
        users.end_sessions(db.session.get(User, first.id))
        db.session.commit()
    phone.context.set_offline(False)
    phone.goto(f"{live}/app/outbox")  # the app finds nobody signed in and asks
    expect(phone.locator("#username")).to_be_visible()
    sign_in(phone, live, second.username)
    expect(phone.locator(".outbox-item")).to_contain_text("由 甲老师 记录")
    # The tap's round asks the session, then holds the record back (a fixed 1 s wait proved nothing if slow).
    with phone.expect_response(lambda response: response.url.endswith("/api/v1/session?fresh=1")):
        phone.get_by_role("button", name="立即发送").click()
    expect(phone.locator(".outbox-item.state-sending")).to_have_count(0)  # the round is over
    assert _count(app, Hazard) == 0  # never sent as 乙老师
    phone.goto(f"{live}/desk")
    phone.locator(".bar-menu summary").click()  # the desk header's menu holds it at 360 px
    phone.get_by_role("button", name="退出").click()
    sign_in(phone, live, first.username)
    phone.goto(f"{live}/app/outbox")
    expect(phone.locator("#outbox-summary")).to_contain_text("全部已发送", timeout=15000)
    with app.app_context():
        assert db.session.scalars(select(Hazard)).one().reporter_id == first.id


def test_an_edit_keeps_what_is_typed_through_redraws(app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    sign_in(phone, live, patrol.username)
    _report_offline(phone, live, zone, "灯管闪烁")
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    with app.app_context():
        zones.set_active(db.session.get(Zone, zone.id), False)
        db.session.commit()
    phone.context.set_offline(False)
    phone.goto(f"{live}/app/outbox")
    expect(phone.locator(".outbox-item.state-attention")).to_have_count(1, timeout=15000)
    phone.get_by_role("button", name="编辑").click()
    description = phone.get_by_label("描述")
    description.click()
    description.press("End")
    phone.keyboard.type("，三楼")
    phone.evaluate("dispatchEvent(new Event('online'))")  # a sync round redraws the outbox
    phone.wait_for_timeout(800)
    phone.keyboard.type("东侧")
    expect(description).to_have_value("灯管闪烁，三楼东侧")
    expect(description).to_be_focused()
    phone.get_by_role("button", name="取消").click()
    expect(phone.locator("h1")).to_be_focused()
    # An edit left open when the user goes elsewhere in the app does not hide the list on the next visit.
    phone.get_by_role("button", name="编辑").click()
    phone.locator("a.appname").click()
    expect(phone.locator("#scan-link")).to_be_visible()
    phone.locator("#outbox-link").click()
    expect(phone.locator(".outbox-item.state-attention")).to_have_count(1)
    expect(phone.get_by_role("button", name="编辑")).to_be_visible()


def test_a_record_made_while_another_is_being_sent_goes_in_the_same_sync(app, live, phone, make_user,
                                                                        make_zone):
    import time

    from flask import request

    gate = {"first": True}

    @app.before_request
    def _slow_first_visit():  # a slow link: the first "no hazard" takes seconds to go
        if request.method == "POST" and request.path == "/api/v1/visits" and gate["first"]:
            gate["first"] = False
            time.sleep(3)

    zone = make_zone()
    sign_in(phone, live, make_user(roles=("patrol",)).username)
    phone.goto(f"{live}/z/{zone.qr_token}")
    phone.get_by_role("button", name="未发现隐患").click()
    phone.get_by_role("link", name="上报隐患").click()  # while that is still being sent
    phone.set_input_files("#photos", str(phone_photo_path()))
    expect(phone.locator(".thumbs img")).to_have_count(1)
    phone.locator("label.choice", has_text="消防安全").click()
    phone.get_by_role("button", name="上报", exact=True).click()
    # Not "kept for later": the round that was running went once more for it.
    expect(phone.locator(".notice-ok")).to_have_text("隐患已上报。", timeout=15000)
    assert not gate["first"] and _count(app, Hazard) == 1 and _count(app, PatrolVisit) == 2
