"""The field app's first screens in Chromium at a phone's size: a QR URL, sign-in, the zone, language."""

from playwright.sync_api import expect

from server.extensions import db
from server.zones import services as zones
from server.zones.models import Zone
from tests.browser.conftest import serious_violations, shot, sign_in, wait_for_service_worker


def test_qr_url_signs_in_and_lands_on_the_zone(live, phone, make_user, make_zone, make_hazard):
    person = make_user(display_name="钱经理", roles=("rectifier",), phone="13800000000")
    patrol = make_user(display_name="李老师", roles=("patrol",))
    zone = make_zone(code="ST-KITCHEN", name="食堂后厨操作间", responsible=person, key_area=True,
                     building="食堂", floor="1F", department="食堂")
    make_hazard(zone=zone, description="灭火器压力不足")

    phone.goto(f"{live}/z/{zone.qr_token}")
    expect(phone.locator("#username")).to_be_visible()  # the sign-in page first
    assert serious_violations(phone) == []
    shot(phone, "signin-phone")
    sign_in(phone, live, patrol.username)

    assert phone.url == f"{live}/z/{zone.qr_token}"
    expect(phone.locator("h1")).to_have_text("食堂后厨操作间")
    facts = phone.locator("dl.facts")
    expect(facts).to_contain_text("ST-KITCHEN")
    expect(facts).to_contain_text("钱经理")
    expect(facts.locator("a[href='tel:13800000000']")).to_be_visible()
    expect(phone.locator(".badge-key")).to_have_text("重点区域")
    expect(phone.locator("#zone-hazards")).to_contain_text("灭火器压力不足")
    expect(phone.locator("#zone-hazards")).to_contain_text("未销号")
    shot(phone, "zone-phone")
    assert serious_violations(phone) == []
    assert phone.js_errors == []


def test_language_switch_in_the_app_is_remembered(live, phone, make_user, make_zone):
    patrol = make_user(display_name="李老师", roles=("patrol",))
    zone = make_zone(name="配电室")
    sign_in(phone, live, patrol.username)
    phone.goto(f"{live}/app")
    expect(phone.locator("#scan-link")).to_have_text("扫码巡查")
    assert serious_violations(phone) == []
    shot(phone, "home-phone")

    phone.locator("#user-menu summary").click()  # the header's menu holds it
    phone.get_by_role("button", name="English").click()
    expect(phone.locator("#scan-link")).to_have_text("Scan a zone")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    phone.reload()
    expect(phone.locator("#scan-link")).to_have_text("Scan a zone")
    # Typing a zone code opens the zone, in English now.
    phone.fill("#zone-code", zone.code.lower())
    phone.get_by_role("button", name="Open zone").click()
    expect(phone.locator("h1")).to_have_text("配电室")
    expect(phone.locator("dl.facts")).to_contain_text("Patrol frequency")
    assert phone.url.endswith(f"/z/{zone.qr_token}")
    phone.locator("#user-menu summary").click()  # the header's menu holds it
    phone.get_by_role("button", name="中文").click()
    expect(phone.locator("dl.facts")).to_contain_text("巡查频次")


def test_retired_label_says_it_was_replaced(app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    with app.app_context():
        zones.reissue_token(db.session.get(Zone, zone.id))
        db.session.commit()
    sign_in(phone, live, patrol.username)
    phone.goto(f"{live}/z/{zone.qr_token}")
    expect(phone.locator(".notice-error")).to_contain_text("已被更换")
    expect(phone.get_by_role("link", name="改为输入责任区编号")).to_be_visible()
    assert serious_violations(phone) == []
    shot(phone, "retired-phone")

    phone.goto(f"{live}/z/nosuchlabel")
    expect(phone.locator(".notice-error")).to_contain_text("不是本校的责任区二维码")
    phone.get_by_role("link", name="改为输入责任区编号").click()
    expect(phone.get_by_label("责任区编号")).to_be_visible()
    assert phone.url == f"{live}/app"


def test_unknown_code_is_explained(live, phone, make_user):
    patrol = make_user(roles=("patrol",))
    sign_in(phone, live, patrol.username)
    phone.goto(f"{live}/app")
    phone.get_by_role("button", name="打开责任区").click()
    expect(phone.locator("#zone-code-error")).to_have_text("请输入标签上印的责任区编号。")
    phone.fill("#zone-code", "NOPE-1")
    phone.get_by_role("button", name="打开责任区").click()
    expect(phone.locator("#zone-code-error")).to_contain_text("NOPE-1")


def test_an_update_loads_every_module_of_the_new_version(live, phone, make_user, pwa_copy):
    sign_in(phone, live, make_user(roles=("patrol",)).username)
    phone.goto(f"{live}/app")
    wait_for_service_worker(phone)
    # Deploy a release in which the entry module needs something new from another module.
    dom, entry = pwa_copy / "js" / "dom.js", pwa_copy / "js" / "app.js"
    dom.write_text(dom.read_text() + '\nexport const RELEASE = "2";\n')
    entry.write_text(entry.read_text().replace('import { h, replace } from "./dom.js";',
                                               'import { h, RELEASE, replace } from "./dom.js";')
                     + "\ndocument.body.dataset.release = RELEASE;\n")
    # The very next load opens at once from the cache: the installed release, whole (nothing of the new mixed
    # in), while the new release installs beside it.
    phone.reload()
    expect(phone.locator("#scan-link")).to_have_text("扫码巡查")
    expect(phone.locator("body")).not_to_have_attribute("data-release", "2")
    # Then the app offers to reload (a form may be half filled in), and runs the new release whole.
    phone.locator("#new-version").get_by_role("button").click()
    expect(phone.locator("body")).to_have_attribute("data-release", "2")
    expect(phone.locator("#scan-link")).to_have_text("扫码巡查")
    assert phone.js_errors == []


def test_field_speed_a_report_in_three_taps_and_a_photo_a_visit_in_one(app, live, phone, make_user,
                                                                        make_zone):
    """From a zone's QR URL: report (1), the photo, category (2), send (3): queued, even with no signal."""
    from sqlalchemy import select

    from server.hazards.models import Hazard
    from server.patrols.models import PatrolVisit
    from tests.phone_photo import phone_photo_path

    zone, fine = make_zone(name="三楼东楼梯间"), make_zone(name="三楼西楼梯间")
    sign_in(phone, live, make_user(roles=("patrol",)).username)
    phone.goto(f"{live}/app")
    wait_for_service_worker(phone)  # the app was opened once before, online: it is installed
    phone.goto(f"{live}/z/{zone.qr_token}")  # what the phone's camera opens from the label
    expect(phone.locator("h1")).to_have_text("三楼东楼梯间")
    phone.wait_for_load_state("networkidle")  # the app refreshes its offline copy of zones and categories
    phone.context.set_offline(True)  # a stairwell: no signal
    taps = [phone.get_by_role("link", name="上报隐患")]
    taps[-1].click()
    phone.set_input_files("#photos", str(phone_photo_path()))  # taking the photo
    expect(phone.locator(".thumbs img")).to_have_count(1)
    taps.append(phone.locator("label.choice", has_text="校舍安全"))
    taps[-1].click()
    taps.append(phone.get_by_role("button", name="上报", exact=True))
    taps[-1].click()
    expect(phone.locator(".notice-ok")).to_have_text("已保存在本机，有网络时会自动发送。")
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    assert len(taps) <= 4

    phone.goto(f"{live}/z/{fine.qr_token}")  # the next label, still offline: the cached directory knows it
    phone.get_by_role("button", name="未发现隐患").click()  # one tap
    expect(phone.locator("#outbox-link .count")).to_have_text("2")
    phone.context.set_offline(False)
    expect(phone.locator("#outbox-link .count")).to_have_count(0, timeout=15000)
    with app.app_context():
        from server.extensions import db

        hazard = db.session.scalars(select(Hazard)).one()
        assert hazard.zone_id == zone.id and hazard.description == "" and hazard.severity == "general"
        visits = {v.zone_id: v for v in db.session.scalars(select(PatrolVisit))}
        assert visits[zone.id].result == "hazards_found" and visits[fine.id].result == "no_hazard"
        assert visits[zone.id].on_site and visits[fine.id].on_site


def test_a_late_screen_does_not_draw_over_the_next(app, live, phone, make_user, make_hazard, monkeypatch):
    """A hazard's page waits for its answer (a slow stairwell signal); the patrol taps "outbox" meanwhile: the
    outbox stays on screen when the hazard's answer comes (it drew over it before: a CI run met it)."""
    import threading

    patrol = make_user(roles=("patrol",))
    hazard = make_hazard(description="楼梯间应急灯不亮")
    sign_in(phone, live, patrol.username)
    expect(phone.locator("h1")).to_be_visible()
    # The server holds the hazard's answer until the test lets it go (the service worker may fetch it, out of
    # reach of the page's routes).
    endpoint = next(rule.endpoint for rule in app.url_map.iter_rules()
                    if rule.rule.endswith("/hazards/<int:hazard_id>") and "GET" in rule.methods
                    and rule.rule.startswith("/api/"))
    view, asked, go_on = app.view_functions[endpoint], threading.Event(), threading.Event()

    def slow(*args, **kwargs):
        asked.set()
        go_on.wait(20)
        return view(*args, **kwargs)

    monkeypatch.setitem(app.view_functions, endpoint, slow)
    go = "(path) => { history.pushState({}, '', path); dispatchEvent(new PopStateEvent('popstate')); }"
    phone.evaluate(go, f"/app/hazards/{hazard.id}")  # as a task's link does
    expect(phone.locator("main .loading")).to_be_visible()
    assert asked.wait(10)
    phone.get_by_role("link", name="待发送").click()
    expect(phone.locator("#outbox-summary")).to_be_visible()
    with phone.expect_response(lambda r: f"/api/v1/hazards/{hazard.id}" in r.url):
        go_on.set()
    phone.evaluate("() => new Promise((ok) => setTimeout(ok, 300))")  # the late screen's own awaits
    expect(phone.locator("#outbox-summary")).to_be_visible()
    expect(phone.locator("main")).not_to_contain_text("楼梯间应急灯不亮")
    expect(phone.locator("main .view")).to_have_count(1)
    assert phone.js_errors == []
