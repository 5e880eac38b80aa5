"""Interim controls (临时措施) on the phone: the zone screen warns beside the open hazard, and one recorded
with no signal on the hazard screen waits in the outbox and reaches the server once.

Each test does what a person's first visit does: a fresh profile, one sign-in, no reload or warm-up first.
"""

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from server.auth.models import User
from server.extensions import db
from server.hazards import services, states
from server.hazards.models import HazardEvent
from tests.browser.conftest import serious_violations, shot, sign_in

# Until the lead merges pending/plans.po, the new words read in English in the Chinese app too.
CORDONED = r"(已设警戒/围挡|Cordoned off / fenced)"
SIGN_POSTED = r"(已设警示标志|Warning sign posted)"
READY = re.compile(r"^(本机已可在无信号时使用。|Ready to work with no signal\.)$")
INTERIM = HazardEvent.action == states.INTERIM_CONTROL
SCREEN = {"width": 360, "height": 780}


def _record(app, user, hazard, kind, note):
    with app.app_context():
        services.perform(db.session.get(User, user.id), hazard.id, services.Command(
            action=states.INTERIM_CONTROL, client_id=f"test-interim-{hazard.id}-{kind}", interim_kind=kind,
            note=note))


def _interim_events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HazardEvent).where(INTERIM))


def test_the_zone_screen_warns_beside_the_open_hazard(app, live, phone, make_user, make_hazard):
    guard = make_user(display_name="周保安", roles=("patrol",))
    hazard = make_hazard("assigned", description="楼梯扶手松动")
    _record(app, guard, hazard, states.CORDONED, "楼梯口已拉警戒线")
    phone.set_viewport_size(SCREEN)
    sign_in(phone, live, hazard.people.reporter.username)
    phone.goto(f"{live}/z/{hazard.zone_obj.qr_token}")
    warning = phone.locator("#zone-hazards li.hazard .interim")
    expect(warning).to_have_count(1)
    expect(warning).to_have_text(re.compile(rf"⚠ {CORDONED} · \d\d:\d\d 周保安: 楼梯口已拉警戒线"))
    expect(phone.locator("#zone-hazards li.hazard")).to_contain_text("楼梯扶手松动")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    assert serious_violations(phone) == []
    shot(phone, "zone-interim-control")
    assert phone.js_errors == []


def test_an_interim_control_recorded_offline_is_sent_once(app, live, phone, make_hazard):
    hazard = make_hazard("reported", description="消防通道堆放杂物")
    patrol = hazard.people.reporter
    phone.set_viewport_size(SCREEN)
    sign_in(phone, live, patrol.username)
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    phone.goto(f"{live}/app/hazards/{hazard.id}")
    expect(phone.locator("h1")).to_contain_text("一般")
    disclosure = phone.locator("details.interim-action summary")
    expect(disclosure).to_be_visible()

    phone.context.set_offline(True)  # the stairwell has no signal
    disclosure.click()
    phone.locator("#act-interim label.choice", has_text=re.compile(SIGN_POSTED)).click()
    phone.fill("#interim-note", "已放置警示牌")
    assert serious_violations(phone) == []
    box = phone.locator("#act-interim button[type=submit]").bounding_box()
    assert box["height"] >= 44
    phone.locator("#act-interim button[type=submit]").click()
    expect(phone.locator("#action-waiting")).to_be_visible()
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    assert _interim_events(app) == 0

    phone.context.set_offline(False)  # the `online` event sends it
    expect(phone.locator("#outbox-link .count")).to_have_count(0)
    expect(phone.locator(".interim")).to_contain_text("已放置警示牌")
    with app.app_context():
        events = db.session.scalars(select(HazardEvent).where(INTERIM)).all()
        assert [(e.hazard_id, e.interim_kind, e.note, e.actor_id) for e in events] == [
            (hazard.id, states.SIGN_POSTED, "已放置警示牌", patrol.id)]
    assert phone.js_errors == []
