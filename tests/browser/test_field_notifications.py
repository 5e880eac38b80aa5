"""The field app's own notifications and each role's home (issue 10), on a first visit as a person makes it: a
fresh phone, one sign-in, no reload or warm-up first.

A rectifier learns of a task without opening the desk: the header counts the unread notifications (a link
whose name holds what it shows), the list opens the hazard, and it works with no signal too. A rectifier's
tasks come before the scan button; a supervisor's home says how many hazards await their recheck, and links
to them.
"""

import re

import pytest
from playwright.sync_api import expect

from server.auth.models import User
from server.extensions import db
from tests.browser.conftest import serious_violations, shot, sign_in

# Until the lead merges pending/field-h1.po, the new words read in English in the Chinese app too.
UNREAD_NAME = {1: re.compile(r"^(通知：1 条未读|Notifications: 1 unread)$"),
               0: re.compile(r"^(通知|Notifications)$")}
# Chinese has one form, so unmerged it reads the English key's form ("hazards"); English has its form for 1.
AWAITS = {"zh_CN": re.compile(r"^(有 1 个隐患等待您复查。|1 hazards await your recheck\.)"),
          "en": re.compile(r"^1 hazard awaits your recheck\.")}
READY = re.compile(r"^(本机已可在无信号时使用。|Ready to work with no signal\.)$")


@pytest.fixture
def screen(phone):
    """Return a fresh phone's page (nothing kept yet) at 360×780."""
    phone.set_viewport_size({"width": 360, "height": 780})
    return phone


def _speak(app, user, locale):
    with app.app_context():
        db.session.get(User, user.id).locale = None if locale == "zh_CN" else locale
        db.session.commit()


def _above(page, first, second):
    """Return whether `first` is drawn above `second` on the screen."""
    return page.locator(first).bounding_box()["y"] < page.locator(second).bounding_box()["y"]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_a_rectifier_learns_of_a_task_in_the_field_app(app, live, screen, make_user, make_zone, make_hazard,
                                                       locale):
    rectifier = make_user(display_name="赵师傅", roles=("rectifier",))
    _speak(app, rectifier, locale)
    hazard = make_hazard("assigned", zone=make_zone(name="锅炉房"), rectifier=rectifier,
                         description="压力表读数异常")
    sign_in(screen, live, rectifier.username)  # lands on the field app's home

    expect(screen.locator("#my-tasks li")).to_have_count(1)
    assert _above(screen, "#my-tasks", "#scan-link")  # the work first, then the way to a new zone
    bell = screen.locator("#notes-link")
    expect(bell).to_have_text("1")
    expect(bell).to_have_accessible_name(UNREAD_NAME[1])  # holds the "1" it shows (WCAG 2.5.3)
    assert bell.bounding_box()["height"] >= 44
    assert screen.locator(".appbar").bounding_box()["height"] <= 56  # the header stays one line
    assert serious_violations(screen) == []

    bell.click()
    item = screen.locator("main li.unread")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("锅炉房")
    shot(screen, f"notifications-{locale}")
    assert serious_violations(screen) == []
    item.get_by_role("link").click()
    expect(screen).to_have_url(f"{live}/app/hazards/{hazard.id}")
    expect(screen.locator("#act-submit")).to_be_visible()
    expect(bell).to_have_text("")  # read now
    expect(bell).to_have_accessible_name(UNREAD_NAME[0])
    assert screen.js_errors == []


def test_notifications_open_with_no_signal_right_after_the_first_sign_in(app, live, screen, make_user,
                                                                         make_zone, make_hazard):
    rectifier = make_user(roles=("rectifier",))
    make_hazard("assigned", zone=make_zone(name="配电室"), rectifier=rectifier)
    sign_in(screen, live, rectifier.username)
    expect(screen.locator("#offline-ready")).to_have_text(READY)
    screen.context.set_offline(True)  # into the basement, no other screen opened first

    screen.locator("#notes-link").click()
    expect(screen.locator("main li.unread")).to_contain_text("配电室")
    expect(screen.locator("main .notice-error")).to_have_count(0)
    assert screen.js_errors == []


def test_mark_all_read_clears_the_count(app, live, screen, make_user, make_zone, make_hazard):
    rectifier = make_user(roles=("rectifier",))
    for name in ("配电室", "锅炉房"):
        make_hazard("assigned", zone=make_zone(name=name), rectifier=rectifier)
    sign_in(screen, live, rectifier.username)
    expect(screen.locator("#notes-link")).to_have_text("2")
    screen.locator("#notes-link").click()
    expect(screen.locator("main li.unread")).to_have_count(2)
    screen.get_by_role("button", name=re.compile("全部标为已读|Mark all as read")).click()
    expect(screen.locator("main li.unread")).to_have_count(0)
    expect(screen.locator("main li")).to_have_count(2)
    expect(screen.locator("#notes-link")).to_have_text("")


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_a_supervisor_on_the_phone_sees_what_awaits_recheck(app, live, screen, make_user, make_zone,
                                                           make_hazard, locale):
    supervisor = make_user(display_name="王主任", roles=("supervisor",))
    _speak(app, supervisor, locale)
    hazard = make_hazard("awaiting_recheck", zone=make_zone(name="食堂后厨"), description="灭火器压力不足")
    sign_in(screen, live, supervisor.username)
    screen.goto(f"{live}/app")  # the desk's "field app" link, on the phone

    card = screen.locator("#rechecks-waiting")
    expect(card).to_have_text(AWAITS[locale])
    assert _above(screen, "#rechecks-waiting", "#scan-link")
    shot(screen, f"home-supervisor-{locale}")
    assert serious_violations(screen) == []
    card.get_by_role("link").click()
    expect(screen).to_have_url(f"{live}/app/tasks")
    items = screen.locator("main li")
    expect(items).to_have_count(1)
    expect(items).to_contain_text("灭火器压力不足")
    assert serious_violations(screen) == []
    items.get_by_role("link").click()
    expect(screen).to_have_url(f"{live}/app/hazards/{hazard.id}")
    expect(screen.locator("#act-recheck")).to_be_visible()
    assert screen.js_errors == []
