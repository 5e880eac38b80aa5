"""The hazard loop on phones, in a real Chromium: report with a photo, assign, rectify, recheck on site."""

import io

from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from server.extensions import db
from server.hazards.models import Hazard, HazardEvent, Photo
from server.media.storage import get_storage
from server.phone_photo import phone_photo_path
from tests.browser.conftest import serious_violations, shot, sign_in


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
    phone.get_by_role("button", name="上报", exact=True).click()
    expect(phone.locator(".notice-ok")).to_have_text("隐患已上报。")
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
