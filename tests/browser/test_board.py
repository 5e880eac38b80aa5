"""The public board in a real Chromium: on a hall TV (1920x1080) and a phone (390x844), no sign-in, nothing
scrolls sideways, large type on the TV, axe finds nothing; the figures refresh by themselves, until paused."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from server.database import utcnow
from tests.browser.conftest import shot

TV = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
# How far the page scrolls sideways (0 when everything fits the viewport's width).
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def some_hazards(make_hazard, make_user, make_zone):
    """A board with figures in every table: hazards in three states in two buildings."""
    fixer = make_user(roles=("rectifier",))
    hall = make_zone(name="教学楼一楼东走廊", building="教学楼", department="后勤处", responsible=fixer)
    boiler = make_zone(name="锅炉房", building="锅炉房", department="后勤处", responsible=fixer)
    for state, zone in (("closed", hall), ("assigned", boiler), ("reported", hall),
                        ("awaiting_recheck", boiler)):
        make_hazard(state, zone=zone, rectifier=fixer)


@pytest.mark.parametrize(("viewport", "smallest_px"), [(TV, 24), (PHONE, 16)], ids=["tv", "phone"])
def test_the_board_reads_on_a_tv_and_a_phone(browser, live, some_hazards, viewport, smallest_px):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(f"{live}/board")
    assert response.status == 200 and page.url == f"{live}/board"  # no sign-in
    expect(page.locator("#board-refresh")).to_be_visible()  # the script runs (CSP: no inline script)
    assert page.evaluate(SIDEWAYS) <= 0
    body_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.board td')).fontSize)")
    assert body_px >= smallest_px  # read from across a hall on the TV
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                  for v in Axe().run(page).response["violations"]]
    assert violations == []
    shot(page, f"board-{viewport['width']}x{viewport['height']}")
    assert errors == []
    context.close()


def test_the_figures_refresh_by_themselves_until_paused(app, browser, live, some_hazards, make_hazard):
    app.config["BOARD_REFRESH_SECONDS"] = 1
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live}/board")
    overdue = page.locator(".board-tile-alert dd").first  # overdue now (the second is 督办)
    expect(overdue).to_have_text("0")
    make_hazard("assigned", now=utcnow() - timedelta(days=30))
    expect(overdue).to_have_text("1")  # refreshed with no reload, the button still there
    button = page.locator("#board-refresh")
    before = button.inner_text()
    button.click()
    assert button.inner_text() != before  # "resume" now
    make_hazard("assigned", now=utcnow() - timedelta(days=30))
    page.wait_for_timeout(2500)
    expect(overdue).to_have_text("1")  # paused: the figures stay as they were
    button.click()
    expect(overdue).to_have_text("2")
    context.close()


def test_a_refresh_on_its_way_when_paused_changes_nothing(app, browser, live, some_hazards, make_hazard):
    """A viewer pauses while a refresh is on its way: its answer, come after the pause, is not shown."""
    app.config["BOARD_REFRESH_SECONDS"] = 1
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live}/board")
    overdue = page.locator(".board-tile-alert dd").first
    expect(overdue).to_have_text("0")
    held = []  # the next refresh, held on its way until the viewer has paused
    page.route(f"{live}/board", lambda route: held.append(route) if route.request.resource_type == "fetch"
               else route.continue_())
    with page.expect_request(lambda request: request.resource_type == "fetch"):
        pass
    while not held:  # its route is handed over right after the request
        page.wait_for_timeout(20)
    page.locator("#board-refresh").click()  # paused
    make_hazard("assigned", now=utcnow() - timedelta(days=30))
    with page.expect_response(lambda response: response.request.resource_type == "fetch") as answer:
        held[0].continue_()
    answer.value.finished()
    page.evaluate("() => new Promise((ok) => requestAnimationFrame(() => setTimeout(ok)))")  # read, parsed
    expect(overdue).to_have_text("0", timeout=2000)  # the figures the viewer paused on
    context.close()
