"""The dashboard and the scorecards in a real Chromium at a desk's size (1280x800) and a phone's (390x844):
nothing scrolls sideways but the tables in their own boxes, axe finds nothing, every figure is a link."""

import pytest

from tests.browser.conftest import shot, sign_in
from tests.reports.conftest import story  # noqa: F401 - the history with known figures

DESK = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
RANGE = "period=range&from=2026-03-01&to=2026-03-11"


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
@pytest.mark.parametrize("path", [f"/desk?{RANGE}", "/reports/scorecards?kind=contractor&period=term"],
                         ids=["dashboard", "scorecards"])
def test_dashboard_and_scorecards_at_desk_and_phone_sizes(browser, live, story, viewport, path):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live, story.supervisor.username)
    assert page.goto(f"{live}{path}").status == 200
    assert page.evaluate(SIDEWAYS) <= 0
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                  for v in Axe().run(page).response["violations"]]
    assert violations == []
    assert page.locator("table a[href^='/hazards']").count() > 5
    name = "dashboard" if path.startswith("/desk") else "scorecards"
    shot(page, f"{name}-{viewport['width']}x{viewport['height']}")
    assert errors == []
    context.close()
