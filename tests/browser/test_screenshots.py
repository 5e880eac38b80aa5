"""Every field screen at 360×780, in Chinese and in English: no sideways scrolling, axe with no violations,
and a screenshot of each for a person to look at (issue 9).

Run with SCREENSHOT_DIR=/some/folder to keep the screenshots there; without it nothing is saved.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from server.auth.models import User
from server.extensions import db
from tests.browser.conftest import PHONE, sign_in
from tests.phone_photo import phone_photo_path

SCREEN = {**PHONE, "viewport": {"width": 360, "height": 780}}
WORDS = {
    "zh_CN": {"report": "上报隐患", "submit": "上报", "fire": "消防安全", "send_now": "立即发送"},
    "en": {"report": "Report a hazard", "submit": "Report", "fire": "Fire safety", "send_now": "Send now"},
}
# Each screen, in the order a person meets them, with what shows that it is drawn.
SCREENS = ["home", "tasks", "notifications", "rectify", "recheck", "zone", "report", "outbox-waiting",
           "outbox-retrying", "outbox-attention"]


def _answer(status, message):
    """Return a route handler that answers every request with `status` and an API error body."""
    body = f'{{"error": {{"code": "test", "message": "{message}"}}}}'
    return lambda route: route.fulfill(status=status, content_type="application/json", body=body)


def _look(page, name, locale, seen, full_page=True):
    """Check one screen as drawn (fits 360 px, axe finds nothing) and save its screenshot when asked to."""
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    assert "。 " not in page.locator("body").inner_text(), name  # Chinese runs on after its full stop
    found = Axe().run(page).response["violations"]
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found]
    assert violations == [], name
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{locale}.png"), full_page=full_page)
    seen.append(name)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_field_screen_at_360_px(app, live, browser, make_user, make_zone, make_hazard, locale):
    person = make_user(display_name="欧阳师傅", roles=("patrol", "rectifier", "supervisor"))
    with app.app_context():
        db.session.get(User, person.id).locale = None if locale == "zh_CN" else locale
        db.session.commit()
    zone = make_zone(name="锅炉房")
    task = make_hazard("assigned", zone=zone, rectifier=person, description="压力表读数异常")
    recheck = make_hazard("awaiting_recheck", zone=make_zone(name="食堂后厨"), description="灭火器压力不足")
    words, seen = WORDS[locale], []
    page = browser.new_context(**SCREEN).new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    sign_in(page, live, person.username)
    page.goto(f"{live}/app")
    expect(page.locator("html[data-offline=ready]")).to_be_attached()  # ready to lose the signal later
    expect(page.locator("#my-tasks li")).to_have_count(1)
    _look(page, "home", locale, seen)
    page.locator("#rechecks-waiting a").click()
    expect(page.locator("main li")).to_have_count(2)
    _look(page, "tasks", locale, seen)
    page.locator("#notes-link").click()
    expect(page.locator("main li").first).to_be_visible()
    _look(page, "notifications", locale, seen)
    page.goto(f"{live}/app/hazards/{task.id}")
    expect(page.locator("#act-submit")).to_be_visible()
    _look(page, "rectify", locale, seen)
    page.goto(f"{live}/app/hazards/{recheck.id}")
    expect(page.locator("#act-recheck")).to_be_visible()
    _look(page, "recheck", locale, seen)
    page.goto(f"{live}/z/{zone.qr_token}")
    expect(page.locator("#zone-hazards .hazard")).to_have_count(1)
    _look(page, "zone", locale, seen)
    page.get_by_role("link", name=words["report"]).click()
    page.set_input_files("#photos", str(phone_photo_path()))
    expect(page.locator(".thumbs img")).to_have_count(1)
    page.locator("label.choice", has_text=words["fire"]).click()
    # What the phone shows: a whole-page picture would draw the sticky submit bar in the middle of the form.
    _look(page, "report", locale, seen, full_page=False)

    page.context.set_offline(True)
    page.get_by_role("button", name=words["submit"], exact=True).click()
    expect(page.locator("main .notice-ok")).to_be_visible()
    page.locator("#outbox-link").click()
    expect(page.locator(".outbox-item img.outbox-thumb")).to_be_visible()
    _look(page, "outbox-waiting", locale, seen)
    # 503 until the user taps "send now", then 422. (Changing the answer before the tap let the outbox's own
    # retry, 2 s then 4 s after, meet the 422 first and take "send now" away: a click waiting out its 30 s.)
    tapped = []
    busy, refused = _answer(503, "busy"), _answer(422, "The category is no longer in use.")
    page.route("**/api/v1/hazards", lambda route: (refused if tapped else busy)(route))
    page.context.set_offline(False)
    expect(page.locator(".outbox-item .retry-note")).to_contain_text("503", timeout=20000)
    _look(page, "outbox-retrying", locale, seen)
    page.get_by_role("button", name=words["send_now"]).click()
    tapped.append(True)  # the tap starts the backoff afresh: its send, or the one 2 s after, meets the 422
    expect(page.locator(".outbox-item.state-attention")).to_have_count(1, timeout=20000)
    _look(page, "outbox-attention", locale, seen)

    assert seen == SCREENS
    assert errors == []
    page.context.close()
