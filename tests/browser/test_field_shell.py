"""The field app's first screens in Chromium at a phone's size: a QR URL, sign-in, the zone, language."""

from playwright.sync_api import expect

from server.extensions import db
from server.zones import services as zones
from server.zones.models import Zone
from tests.browser.conftest import serious_violations, shot, sign_in


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
    expect(phone.locator("#scan-title")).to_have_text("扫码巡查")
    assert serious_violations(phone) == []
    shot(phone, "home-phone")

    phone.get_by_role("button", name="English").click()
    expect(phone.locator("#scan-title")).to_have_text("Scan a zone")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    phone.reload()
    expect(phone.locator("#scan-title")).to_have_text("Scan a zone")
    # Typing a zone code opens the zone, in English now.
    phone.fill("#zone-code", zone.code.lower())
    phone.get_by_role("button", name="Open zone").click()
    expect(phone.locator("h1")).to_have_text("配电室")
    expect(phone.locator("dl.facts")).to_contain_text("Patrol frequency")
    assert phone.url.endswith(f"/z/{zone.qr_token}")
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


def test_unknown_code_is_explained(live, phone, make_user):
    patrol = make_user(roles=("patrol",))
    sign_in(phone, live, patrol.username)
    phone.goto(f"{live}/app")
    phone.get_by_role("button", name="打开责任区").click()
    expect(phone.locator("#zone-code-error")).to_have_text("请输入标签上印的责任区编号。")
    phone.fill("#zone-code", "NOPE-1")
    phone.get_by_role("button", name="打开责任区").click()
    expect(phone.locator("#zone-code-error")).to_contain_text("NOPE-1")
