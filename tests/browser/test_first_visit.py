"""The field app as a new patrol meets it: offline from the first sign-in, prompt retries once back online.

Each test does what a person's first visit does: a fresh profile, one sign-in, no reload or warm-up first.
"""

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from server.auth.models import User
from server.extensions import db
from server.hazards.models import Hazard
from tests.browser.conftest import serious_violations, shot, sign_in
from tests.phone_photo import phone_photo_path

# Until the lead merges pending/first-visit.po, the new words read in English in the Chinese app too.
READY = re.compile(r"^(本机已可在无信号时使用。|Ready to work with no signal\.)$")
KEPT = {"zh": "已保存在本机，有网络时会自动发送。",
        "en": "Saved on this phone: it will be sent when there is a connection."}


def _descriptions(app):
    with app.app_context():
        return sorted(db.session.scalars(select(Hazard.description)))


def _speaks_english(app, user):
    with app.app_context():
        db.session.get(User, user.id).locale = "en"
        db.session.commit()


def _report(page, live, zone, description, *, link, category, submit, kept):
    """Open a zone's label URL (as a phone's camera app does), report a hazard, see that the phone kept it."""
    page.goto(f"{live}/z/{zone.qr_token}")
    expect(page.locator("h1")).to_have_text(zone.name)
    page.get_by_role("link", name=link).click()
    page.set_input_files("#photos", str(phone_photo_path()))
    expect(page.locator(".thumbs img")).to_have_count(1)
    page.locator("label.choice", has_text=category).click()
    page.fill("#description", description)
    page.get_by_role("button", name=submit, exact=True).click()
    expect(page.locator(".notice-ok")).to_have_text(kept)


def test_a_first_sign_in_works_offline_at_once_in_a_zone_never_opened(app, live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    make_zone(name="教学楼一楼")
    boiler_room = make_zone(name="锅炉房")
    sign_in(phone, live, patrol.username)
    expect(phone.locator("h1")).to_have_text(f"您好，{patrol.display_name}")
    # The home screen says when the phone holds what it needs with no signal: a person may wait for that.
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    shot(phone, "first-visit-ready-phone")

    phone.context.set_offline(True)  # straight into the basement: no reload, no other screen opened first
    expect(phone.locator("#signal")).not_to_be_empty()
    _report(phone, live, boiler_room, "压力表读数异常", link="上报隐患", category="消防安全", submit="上报",
            kept=KEPT["zh"])
    expect(phone.locator("#outbox-link .count")).to_have_text("1")
    assert _descriptions(app) == []

    phone.context.set_offline(False)
    expect(phone.locator("#outbox-link .count")).to_have_count(0)
    expect(phone.locator("#signal")).to_be_empty()
    assert _descriptions(app) == ["压力表读数异常"]
    assert phone.js_errors == []


def test_before_its_words_are_kept_the_app_says_no_connection_in_words(live, phone, make_user, make_zone):
    patrol = make_user(roles=("patrol",))
    zone = make_zone()
    sign_in(phone, live, patrol.username)
    expect(phone.locator("#offline-ready")).to_have_text(READY)
    phone.locator("#user-menu summary").click()  # the header's menu holds it
    phone.get_by_role("button", name="退出").click()  # what was kept for this person goes with them
    phone.wait_for_url("**/login**")
    phone.context.set_offline(True)
    phone.goto(f"{live}/z/{zone.qr_token}")  # the shell opens from the phone; the words are not on it
    expect(phone.locator("main .notice-error")).to_have_text("无法连接服务器。请检查信号后重试。")


@pytest.mark.parametrize(("path", "expected"), [
    ("/api/v1/i18n", "出错了：The server failed."),  # its words: the built-in ones say what happened
    ("/api/v1/session", "出错了：The server failed."),
], ids=["words", "session"])
def test_a_server_that_answers_with_an_error_is_not_called_no_connection(live, phone, make_user, path,
                                                                         expected):
    # Reached but failing while the app opens: "无法连接服务器" would send a patrol looking for a signal.
    phone.context.route(f"**{path}", lambda route: route.fulfill(
        status=500, content_type="application/json",
        body='{"error": {"code": "internal", "message": "The server failed."}}'))
    sign_in(phone, live, make_user(roles=("patrol",)).username)  # a first visit: no worker, nothing kept
    expect(phone.locator("main .notice-error")).to_have_text(expected)


def test_after_an_offline_walk_six_reports_go_through_server_errors_in_seconds(app, live, phone, make_user,
                                                                               make_zone):
    patrol = make_user(roles=("patrol",))
    _speaks_english(app, patrol)
    zones = [make_zone(name=f"Basement room {n}") for n in range(1, 7)]
    sign_in(phone, live, patrol.username)
    expect(phone.locator("#offline-ready")).to_have_text("Ready to work with no signal.")

    phone.context.set_offline(True)
    expect(phone.locator("#signal")).to_have_text("No signal")
    for n, zone in enumerate(zones, 1):
        _report(phone, live, zone, f"Leak {n}", link="Report a hazard", category="Fire safety",
                submit="Report", kept=KEPT["en"])
    expect(phone.locator("#outbox-link .count")).to_have_text("6")
    # Every field screen says there is no signal; the outbox says it is waiting for the network.
    for path in ["/app", f"/z/{zones[0].qr_token}", f"/z/{zones[0].qr_token}/report", "/app/outbox"]:
        phone.goto(f"{live}{path}")
        expect(phone.locator("#signal")).to_have_text("No signal")
    expect(phone.locator("#outbox-activity")).to_have_text(
        "No signal: what waits is sent by itself when the network returns.")
    shot(phone, "outbox-no-signal-phone-en")
    assert serious_violations(phone) == []
    # The walk took a while: the outbox has tried and failed many times meanwhile (that must cost nothing).
    phone.wait_for_timeout(8000)

    answered = {"503": 0}

    def unavailable_at_first(route):
        if answered["503"] < 3:  # the server is still coming up when the signal returns
            answered["503"] += 1
            return route.fulfill(status=503, content_type="application/json",
                                 body='{"error": {"code": "unavailable", "message": "Service Unavailable"}}')
        return route.continue_()

    phone.route("**/api/v1/**", unavailable_at_first)
    back = time.monotonic()
    phone.context.set_offline(False)
    expect(phone.locator("#signal")).to_be_empty()
    expect(phone.locator("#outbox-activity, .retry-note").first).to_have_text(
        re.compile(r"^Retrying in \d+ s: the server answered 503\.$"))
    shot(phone, "outbox-retrying-phone-en")
    expect(phone.locator("#outbox-summary")).to_contain_text("Everything is sent.", timeout=30_000)
    took = time.monotonic() - back
    assert took < 30, f"all six on the server {took:.1f} s after the network returned"
    assert answered["503"] == 3
    assert _descriptions(app) == [f"Leak {n}" for n in range(1, 7)]  # each exactly once
    assert phone.js_errors == []
