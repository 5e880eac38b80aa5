"""The hazard loop on phones, in a real Chromium: report with a photo, assign, rectify, recheck on site."""

import io

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from server.extensions import db
from server.hazards.models import Hazard, HazardEvent, Photo
from server.media.storage import get_storage
from tests.browser.conftest import serious_violations, shot, sign_in
from tests.phone_photo import phone_photo_path


def test_patrol_reports_a_hazard_with_a_photo(app, live, phone, make_user, make_zone):
    patrol = make_user(display_name="李老师", roles=("patrol",))
    zone = make_zone(code="PD-ROOM", name="配电室")
    sign_in(phone, live, patrol.username)
    phone.goto(f"{live}/z/{zone.qr_token}")
    phone.get_by_role("link", name="上报隐患").click()
    expect(phone.locator("h1")).to_have_text("上报隐患")
    phone.set_input_files("#photos", str(phone_photo_path()))
    expect(phone.locator(".thumbs img")).to_have_count(1)
    phone.locator("label.choice", has_text="用电安全").click()
    phone.fill("#description", "配电箱门未关，线路裸露")
    assert serious_violations(phone) == []
    shot(phone, "report-phone")
    # Watch the upload progress the outbox reports (the page's own copy of the module, at its version).
    phone.evaluate("""async () => {
        const v = new URL(document.querySelector("script[type=module]").src).searchParams.get("v");
        const outbox = await import(`/pwa/js/outbox.js?v=${v}`);
        window.__progress = [];
        outbox.subscribe((items, s) => { if (s.progress) window.__progress.push(s.progress); });
    }""")
    phone.get_by_role("button", name="上报", exact=True).click()
    expect(phone.locator(".notice-ok")).to_have_text("隐患已上报。")
    progress = phone.evaluate("window.__progress")
    assert progress and progress[-1]["loaded"] == progress[-1]["total"] > 100_000  # the photo went up
    expect(phone.locator("#zone-hazards")).to_contain_text("配电箱门未关")

    with app.app_context():
        hazards = db.session.scalars(select(Hazard)).all()
        assert len(hazards) == 1 and hazards[0].state == "reported"
        assert hazards[0].category.code == "electricity"
        photos = db.session.scalars(select(Photo)).all()
        assert len(photos) == 1
        stored = Image.open(io.BytesIO(get_storage().read(photos[0].key)))
        assert stored.size == (1200, 1600)  # downsized on the phone to ≤ 1600 px, upright
        assert not stored.getexif()
        events = db.session.scalars(select(HazardEvent)).all()
        assert events[0].on_site  # reported right after opening the zone's QR URL
    assert phone.js_errors == []


def test_no_hazard_visit_takes_one_tap(app, live, phone, make_user, make_zone):
    from server.patrols.models import PatrolVisit

    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    sign_in(phone, live, patrol.username)
    phone.goto(f"{live}/z/{zone.qr_token}")
    phone.get_by_role("button", name="未发现隐患").click()
    expect(phone.locator(".visit-status")).to_have_text("已记录：本次巡查未发现隐患。")
    with app.app_context():
        visits = db.session.scalars(select(PatrolVisit)).all()
        assert [(v.zone_id, v.result, v.on_site) for v in visits] == [(zone.id, "no_hazard", True)]


def test_the_loop_at_a_phone_viewport(app, live, browser, make_user, make_zone):
    from tests.browser.conftest import PHONE

    patrol = make_user(display_name="李老师", roles=("patrol",))
    supervisor = make_user(display_name="王主任", roles=("supervisor",))
    rectifier = make_user(display_name="张师傅", roles=("rectifier",))
    zone = make_zone(code="JX-STAIR", name="教学楼楼梯间", responsible=rectifier)
    photo = str(phone_photo_path())

    def phone_for(user):
        page = browser.new_context(**PHONE).new_page()
        sign_in(page, live, user.username)
        return page

    # 1. The patrol scans the zone's label and reports with a photo.
    p = phone_for(patrol)
    p.goto(f"{live}/z/{zone.qr_token}")
    p.get_by_role("link", name="上报隐患").click()
    p.set_input_files("#photos", photo)
    p.locator("label.choice", has_text="校舍安全").click()
    p.locator("label.choice", has_text="一般").click()  # a major one would wait for its plan (五到位)
    p.fill("#description", "楼梯扶手松动")
    # Sent at once, even while the 12-megapixel photo is still being downsized (the form waits for it;
    # on a loaded 2-core machine that can take seconds).
    p.get_by_role("button", name="上报", exact=True).click()
    expect(p.locator(".notice-ok")).to_have_text("隐患已上报。", timeout=20000)
    with app.app_context():
        hazard_id = db.session.scalar(select(Hazard.id))

    # 2. The supervisor assigns it from the queue (defaults: the zone's responsible person, a deadline).
    s = phone_for(supervisor)
    s.goto(f"{live}/hazards/queue")
    expect(s.locator(".hazard-card")).to_contain_text("楼梯扶手松动")
    assert serious_violations(s) == []
    shot(s, "queue-phone")
    s.get_by_role("button", name="指派").click()
    expect(s.locator(".flash-success")).to_contain_text("指派")

    # 3. The rectifier finds it in "my tasks" and submits the rectification with an after photo.
    r = phone_for(rectifier)
    r.goto(f"{live}/app")
    r.locator("#my-tasks a", has_text="楼梯扶手松动").click()
    r.set_input_files("#act-submit-photos", photo)
    r.fill("#act-submit-note", "已紧固扶手螺栓")
    r.get_by_role("button", name="提交整改").last.click()
    expect(r.locator(".notice-ok")).to_have_text("整改已提交，等待复查。")

    # 4. The supervisor rechecks on site: scans the zone, sees before and after side by side, passes.
    s.goto(f"{live}/z/{zone.qr_token}")
    expect(s.locator("h1")).to_have_text("教学楼楼梯间")
    s.goto(f"{live}/app/hazards/{hazard_id}")
    expect(s.locator(".side-before img")).to_have_count(1)
    expect(s.locator(".side-after img")).to_have_count(1)
    assert serious_violations(s) == []
    s.get_by_role("button", name="复查通过").last.click()
    expect(s.locator(".notice-ok")).to_have_text("复查通过：隐患已销号。")

    # The timeline on the desk shows all four steps, with photos, the recheck made on site.
    s.goto(f"{live}/hazards/{hazard_id}")
    items = s.locator(".timeline li")
    expect(items).to_have_count(4)
    for n, word in enumerate(["上报", "指派", "提交整改", "复查通过"]):
        expect(items.nth(n)).to_contain_text(word)
    expect(items.nth(0).locator("img")).to_have_count(1)
    expect(items.nth(2).locator("img")).to_have_count(1)
    expect(items.nth(3)).to_contain_text("现场")
    expect(s.locator(".compare img")).to_have_count(2)
    shot(s, "hazard-desk-phone")
    with app.app_context():
        hazard = db.session.get(Hazard, hazard_id)
        assert hazard.state == "closed" and hazard.fixed
        assert [e.action for e in hazard.events] == ["report", "assign", "submit", "pass"]
