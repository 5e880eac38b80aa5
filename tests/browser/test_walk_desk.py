"""Defects met walking the desk as a supervisor on a 360 px phone: every field a thumb can hit, and an icon
named (the browser asked /favicon.ico on every first visit and met a 404)."""

import pytest

from tests.browser.conftest import sign_in

PAGES = ["/desk", "/reports/scorecards", "/hazards", "/campaigns/new"]


@pytest.fixture
def desk_phone(browser):
    """Return a page in a fresh 360×780 touch context, Chinese, in the school's time zone."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, timezone_id="Asia/Shanghai")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_text_fields_are_touch_sized(live, desk_phone, make_user, path):
    """Every text-like field stands at least 44 px tall (the scorecards' month field was 21 px, unstyled)."""
    supervisor = make_user(roles=("supervisor",))
    sign_in(desk_phone, live, supervisor.username)
    desk_phone.goto(f"{live}{path}")
    heights = desk_phone.eval_on_selector_all(
        "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main select, main textarea",
        "els => els.filter(e => e.getBoundingClientRect().width)"
        ".map(e => [e.name || e.id, Math.round(e.getBoundingClientRect().height)])")
    assert heights, f"{path} has no field to check"
    assert [field for field in heights if field[1] < 44] == []


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
