"""The admin pages in a real Chromium, at a phone's 360 px and on a desktop: no sideways scrolling, no axe
violations, and the forms work with CSRF protection on."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# How far the page scrolls sideways (0 when everything fits the viewport's width).
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _admin_page(browser, live, make_user, viewport):
    admin = make_user(roles=("admin",))
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live}/login?next=/admin/users")
    page.fill("#username", admin.username)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live}/admin/users")
    return page


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_pages_fit_the_screen_and_pass_axe(browser, live, make_user, make_zone, viewport):
    from axe_playwright_python.sync_playwright import Axe

    person = make_user(display_name="郑老师", roles=("rectifier",))
    zone = make_zone(code="JX-1F-E", name="教学楼一楼东走廊", building="教学楼", floor="1F",
                     responsible=person, key_area=True)
    page = _admin_page(browser, live, make_user, viewport)
    axe = Axe()
    for path in ("/admin/users", "/admin/users/new", f"/admin/users/{person.id}", "/admin/zones",
                 "/admin/zones/new", f"/admin/zones/{zone.id}", f"/admin/zones/{zone.id}/reissue",
                 "/admin/categories", "/admin/categories/new", "/admin/categories/1", "/admin/import/zones"):
        page.goto(live + path)
        overflow = page.evaluate(SIDEWAYS)
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        violations = [(v["id"], v["help"]) for v in axe.run(page).response["violations"]]
        assert violations == [], f"{path}: {violations}"
    page.context.close()


def test_phone_admin_creates_a_zone_and_reads_import_errors(app, browser, live, make_user):
    make_user(username="zheng", display_name="郑老师", roles=("rectifier",))
    page = _admin_page(browser, live, make_user, PHONE)
    page.goto(f"{live}/admin/zones/new")
    page.fill("#code", "GL-BOILER")
    page.fill("#name", "锅炉房")
    page.select_option("#responsible", label="郑老师 (zheng)")
    page.check("#key_area")
    page.select_option("#frequency", "daily")
    page.click("text=创建责任区")
    assert page.locator(".flash-success").inner_text().startswith("已创建责任区 GL-BOILER")
    assert "https://school.example/z/" in page.locator("code.url").inner_text()

    page.goto(f"{live}/admin/import/zones")
    bad = "编号,名称,责任人\r\nGL-BOILER,重复的,zheng\r\nA-2,,zheng\r\n".encode("gbk")
    page.set_input_files("#file", files=[{"name": "责任区.csv", "mimeType": "text/csv", "buffer": bad}])
    page.click("text=检查并导入")
    rows = page.locator(".errors-card tbody tr")
    # Waited for: the click returns once the answer's page starts loading, maybe before its table is parsed.
    expect(rows).to_have_count(2)
    assert "2" in rows.nth(0).inner_text() and "编号" in rows.nth(0).inner_text()
    assert "3" in rows.nth(1).inner_text() and "名称" in rows.nth(1).inner_text()
    overflow = page.evaluate(SIDEWAYS)
    assert overflow <= 0
    page.context.close()
