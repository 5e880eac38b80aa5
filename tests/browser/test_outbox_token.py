"""The outbox asks the session's CSRF token once per sending run, and again only when the server refuses it.

Before, it asked GET /api/v1/session?fresh=1 before every record (bench/outbox_sync.py: 1.31× a plain client).
The outbox's tests start from a first visit (a fresh profile signs in, no reload), record "no hazard found" in
three zones with no signal, and count what the phone asks once the signal is back. The app's own changes (a
language switch, through api.js send()) keep the same token.
"""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.test_outbox_tabs import _installed, _no_hazard_offline, _visits_by_zone

FRESH = "/api/v1/session?fresh=1"
REFUSALS = {
    "csrf": {"status": 400, "content_type": "application/json",
             "body": json.dumps({"error": {"code": "csrf", "message": "The form has expired."}})},
    "signed-out": {"status": 401, "content_type": "application/json",
                   "body": json.dumps({"error": {"code": "unauthorized", "message": "Sign in."}})},
}


def _walk_offline(phone, live, make_user, make_zone):
    """Install the app, lose the signal, record three visits; return the zones, and the phone's requests list
    (filled from now on)."""
    patrol = make_user(roles=("patrol",))
    zones = [make_zone(name=f"三楼{n}号教室") for n in range(3)]
    _installed(phone, live, patrol.username)
    phone.context.set_offline(True)
    for zone in zones:
        _no_hazard_offline(phone, live, zone)
    expect(phone.locator("#outbox-link .count")).to_have_text("3")
    asked = []
    phone.on("request", lambda request: asked.append((request.method, request.url.split(live, 1)[-1])))
    return zones, asked


def test_a_sending_run_asks_the_token_once(app, live, phone, make_user, make_zone):
    zones, asked = _walk_offline(phone, live, make_user, make_zone)
    phone.context.set_offline(False)  # the `online` event sends the three records in one run
    expect(phone.locator("#outbox-link .count")).to_have_count(0, timeout=15000)
    assert [path for _method, path in asked if path == FRESH] == [FRESH]
    assert [method for method, path in asked if path == "/api/v1/visits"] == ["POST"] * 3
    assert _visits_by_zone(app) == {zone.id: 1 for zone in zones}


@pytest.mark.parametrize("refusal", REFUSALS, ids=list(REFUSALS))
def test_a_refused_token_is_asked_again_and_each_record_goes_once(app, live, phone, make_user, make_zone,
                                                                   refusal):
    zones, asked = _walk_offline(phone, live, make_user, make_zone)
    refused = []

    def refuse_the_second(route):
        # The server's answer to a stale token or an ended session, for the run's second record only: the
        # server did nothing with it.
        if route.request.method == "POST" and len(refused) == 0 and len(asked_posts()) == 2:
            refused.append(route.request.url)
            return route.fulfill(**REFUSALS[refusal])
        return route.continue_()

    def asked_posts():
        return [path for method, path in asked if method == "POST" and path == "/api/v1/visits"]

    phone.route("**/api/v1/visits", refuse_the_second)
    phone.context.set_offline(False)
    expect(phone.locator("#outbox-link .count")).to_have_count(0, timeout=15000)
    # One token for the run, one more after the refusal; the refused record sent again, nothing twice.
    assert ([path for _method, path in asked if path == FRESH], len(refused), len(asked_posts())) == (
        [FRESH, FRESH], 1, 4)
    assert _visits_by_zone(app) == {zone.id: 1 for zone in zones}
    phone.goto(f"{live}/app/outbox")
    expect(phone.locator("#outbox-summary")).to_contain_text("全部已发送")


def _user_locale(app, user):
    from server.auth.models import User
    from server.extensions import db

    with app.app_context():
        return db.session.get(User, user.id).locale


def test_the_app_s_own_changes_keep_the_token_and_replace_a_refused_one(app, live, phone, make_user):
    # A language switch goes through api.js send(): one token for the session, asked again only when the
    # server refuses it, and the refused change made once with the new one.
    patrol = make_user(roles=("patrol",))
    _installed(phone, live, patrol.username)
    asked = []
    phone.on("request", lambda request: asked.append((request.method, request.url.split(live, 1)[-1])))
    refused = []

    def refuse_the_first(route):
        if not refused:
            refused.append(route.request.url)
            return route.fulfill(**REFUSALS["csrf"])
        return route.continue_()

    phone.route("**/api/v1/session/locale", refuse_the_first)
    for language, greeting in [("English", "Hello"), ("中文", "您好")]:
        phone.locator("#user-menu summary").click()
        phone.get_by_role("button", name=language).click()
        expect(phone.locator("main h1")).to_contain_text(greeting)
    switches = [method for method, path in asked if path == "/api/v1/session/locale"]
    # The first switch: a token, refused, a new one, sent again; the second: the same token.
    assert ([path for _method, path in asked if path == FRESH], len(refused), switches) == (
        [FRESH, FRESH], 1, ["POST"] * 3)
    assert _user_locale(app, patrol) == "zh_CN"
