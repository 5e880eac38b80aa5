"""The desk's header on a 360 px phone: one line, its links in a menu named by the user (issue 9); on a wide
screen the links stand in the bar as before."""

import re

import pytest
from playwright.sync_api import expect

from server.auth.models import User
from server.extensions import db
from tests.browser.conftest import serious_violations, shot, sign_in

LINKS = {"zh_CN": ["现场巡查", "工作台", "隐患", "通知", "系统管理"],
         "en": ["Field app", "Desk", "Hazards", "Notifications", "Administration"]}
SIGN_OUT = {"zh_CN": "退出", "en": "Sign out"}


@pytest.fixture
def desk_page(browser):
    """Return open(width): a page in a fresh context `width` CSS pixels wide."""
    contexts = []

    def open_page(width):
        contexts.append(browser.new_context(viewport={"width": width, "height": 780}, locale="zh-CN"))
        return contexts[-1].new_page()

    yield open_page
    for context in contexts:
        context.close()


def _desk(app, live, page, make_user, locale):
    """Sign an admin in (the widest header: every link, a long name), speaking `locale`; open the desk."""
    admin = make_user(display_name="欧阳春晓主任", roles=("admin", "supervisor"))
    with app.app_context():
        db.session.get(User, admin.id).locale = None if locale == "zh_CN" else locale
        db.session.commit()
    sign_in(page, live, admin.username)
    page.goto(f"{live}/desk")
    _one_line(page)
    return admin


def _one_line(page):
    """Assert the header is one line and the page does not scroll sideways."""
    assert page.locator(".bar").bounding_box()["height"] <= 56
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_desk_header_is_one_line_at_360_px_with_a_menu(app, live, desk_page, make_user, locale):
    page = desk_page(360)
    admin = _desk(app, live, page, make_user, locale)
    summary = page.locator(".bar-menu summary")
    expect(summary).to_have_accessible_name(re.compile(admin.display_name))  # contains what it shows
    assert summary.bounding_box()["height"] >= 44
    for name in LINKS[locale]:
        expect(page.locator(".bar").get_by_role("link", name=name, exact=True)).to_be_hidden()
    summary.click()
    for name in LINKS[locale]:
        link = page.locator(".bar").get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert link.bounding_box()["height"] >= 44
        assert link.bounding_box()["x"] + link.bounding_box()["width"] <= 360
    expect(page.get_by_role("button", name=SIGN_OUT[locale])).to_be_visible()
    _one_line(page)
    shot(page, f"desk-header-menu-{locale}")
    assert serious_violations(page) == []


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_desk_header_links_stand_in_the_bar_on_a_wide_screen(app, live, desk_page, make_user, locale):
    page = desk_page(1280)
    _desk(app, live, page, make_user, locale)
    expect(page.locator(".bar-menu summary")).to_be_hidden()
    for name in LINKS[locale]:
        expect(page.locator(".bar").get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=SIGN_OUT[locale])).to_be_visible()
    assert serious_violations(page) == []


def test_sign_in_page_header_is_one_line_at_360_px(live, desk_page):
    page = desk_page(360)
    page.goto(f"{live}/login")
    _one_line(page)
    expect(page.get_by_role("button", name="English")).to_be_visible()
