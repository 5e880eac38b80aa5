"""Defects met walking the desk as a supervisor and an admin on a 360 px phone: every field a thumb can hit,
boxes not squeezed, and an icon named (the browser asked /favicon.ico on every first visit and met a 404)."""

import pytest

from server.auth.models import User
from server.extensions import db
from tests.browser.conftest import sign_in

PAGES = ["/desk", "/reports/scorecards", "/hazards", "/campaigns/new"]


@pytest.fixture
def desk_phone(browser):
    """Return a page in a fresh 360×780 touch context, Chinese, in the school's time zone."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, timezone_id="Asia/Shanghai")
    yield context.new_page()
    context.close()


def _open_as(app, live, page, user, locale, path):
    """Sign `user` in speaking `locale` and open `path`."""
    with app.app_context():
        db.session.get(User, user.id).locale = locale
        db.session.commit()
    sign_in(page, live, user.username)
    page.goto(f"{live}{path}")


@pytest.mark.parametrize("path", PAGES + ["/admin/webhooks/new"])
def test_text_fields_are_touch_sized(live, desk_phone, make_user, path):
    """Every text-like field stands at least 44 px tall (the scorecards' month field and the webhook's address
    were 21 px, unstyled)."""
    admin = make_user(roles=("admin", "supervisor"))
    sign_in(desk_phone, live, admin.username)
    desk_phone.goto(f"{live}{path}")
    heights = desk_phone.eval_on_selector_all(
        "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main select, main textarea",
        "els => els.filter(e => e.getBoundingClientRect().width)"
        ".map(e => [e.name || e.id, Math.round(e.getBoundingClientRect().height)])")
    assert heights, f"{path} has no field to check"
    assert [field for field in heights if field[1] < 44] == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("path", PAGES + ["/admin/webhooks/new"])
def test_boxes_keep_their_size(app, live, desk_phone, make_user, path, locale):
    """Every checkbox and radio stays 24 px square, also beside a label that wraps (the webhook's events in
    English were squeezed to 19 px wide)."""
    _open_as(app, live, desk_phone, make_user(roles=("admin", "supervisor")), locale, path)
    sizes = desk_phone.eval_on_selector_all(
        "main input[type=checkbox], main input[type=radio]",
        "els => els.filter(e => e.getBoundingClientRect().width)"
        ".map(e => [e.name, e.value, Math.round(e.getBoundingClientRect().width),"
        " Math.round(e.getBoundingClientRect().height)])")
    assert [box for box in sizes if box[2:] != [24, 24]] == []


@pytest.mark.parametrize("path", PAGES)
def test_page_names_its_icon(live, desk_phone, make_user, path):
    """A desk page names an icon that answers, so the browser does not ask /favicon.ico and meet a 404."""
    supervisor = make_user(roles=("supervisor",))
    sign_in(desk_phone, live, supervisor.username)
    desk_phone.goto(f"{live}{path}")
    icon = desk_phone.locator("head link[rel=icon]")
    assert icon.count() == 1
    answer = desk_phone.request.get(icon.evaluate("link => link.href"))
    assert (answer.status, answer.headers["content-type"]) == (200, "image/png")


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("state", ["reported", "assigned"])
def test_hazard_facts_stay_on_the_phone(app, live, desk_phone, make_user, make_hazard, locale, state):
    """A hazard's facts and plan fit 360 px (in English the terms' column pushed the values 38 px past the
    edge, cut off: the zone, the report time, the rectifier)."""
    hazard = make_hazard(state, severity="major")
    _open_as(app, live, desk_phone, make_user(roles=("supervisor",)), locale, f"/hazards/{hazard.id}")
    past_the_edge = desk_phone.eval_on_selector_all(
        ".facts dt, .facts dd",
        "els => els.filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
        ".map(e => e.textContent.trim())")
    assert past_the_edge == []
    assert desk_phone.evaluate("document.documentElement.scrollWidth") == 360


@pytest.mark.parametrize("path", ["/desk", "/reports/scorecards", "/patrols/coverage"])
def test_wide_tables_scroll_by_keyboard(live, desk_phone, make_user, make_hazard, path):
    """A table wider than the phone scrolls in a box the keyboard reaches and a screen reader names (the
    dashboard's breakdowns and the scorecards could be scrolled by touch only)."""
    make_hazard("assigned")
    supervisor = make_user(roles=("supervisor",))
    sign_in(desk_phone, live, supervisor.username)
    desk_phone.goto(f"{live}{path}")
    wraps = desk_phone.eval_on_selector_all(
        "main .table-wrap",
        "els => els.filter(e => e.scrollWidth > e.clientWidth).map(e => [e.tabIndex, e.getAttribute('role'),"
        " (document.getElementById(e.getAttribute('aria-labelledby')) || {}).textContent || null])")
    assert wraps, f"{path} has no table wider than the phone"
    assert [wrap for wrap in wraps if wrap[0] != 0 or wrap[1] not in ("region", "group") or not wrap[2]] == []


@pytest.mark.parametrize("roles", [("admin", "supervisor"), ("rectifier",)])
def test_the_headers_links_are_touch_sized(live, desk_phone, make_user, roles):
    """Every link of the desk's header is at least 44 px each way (隐患 was 43 px wide on a phone)."""
    user = make_user(roles=roles)
    sign_in(desk_phone, live, user.username)
    desk_phone.goto(f"{live}/hazards")
    sizes = desk_phone.eval_on_selector_all(
        ".bar a", "els => els.map(e => [e.textContent.trim(), Math.round(e.getBoundingClientRect().width),"
                  " Math.round(e.getBoundingClientRect().height)])")
    assert len(sizes) >= 2
    assert [link for link in sizes if link[1] < 44 or link[2] < 44] == []
