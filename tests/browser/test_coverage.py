"""The coverage page, the campus risk view and a zone's history in a real Chromium at a desk's size (1280x800)
and a phone's (390x844): axe finds nothing, nothing scrolls sideways but the tables in their own boxes, the
risk grid says each level in words."""

import pytest

from tests.browser.conftest import shot, sign_in
from tests.patrols.test_coverage import world  # noqa: F401 - zones and visits with known answers

DESK = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
@pytest.mark.parametrize("path", ["/patrols/coverage?period=month", "/patrols/risk", "zone"],
                         ids=["coverage", "risk", "history"])
def test_coverage_pages_at_desk_and_phone_sizes(browser, live, world, make_user, make_zone,  # noqa: F811
                                                make_hazard, viewport, path):
    from axe_playwright_python.sync_playwright import Axe

    boss = make_user(roles=("supervisor",))
    hazard = make_hazard("assigned")
    make_zone(code="NEVER", key_area=True, risk_level="major")  # made today, due today: not patrolled yet
    if path == "zone":
        path = f"/patrols/zones/{hazard.zone_id}"
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live, boss.username)
    assert page.goto(f"{live}{path}").status == 200
    assert page.evaluate(SIDEWAYS) <= 0
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                  for v in Axe().run(page).response["violations"]]
    assert violations == []
    if path.startswith("/patrols/coverage"):
        assert page.locator("td.status-missed").count() >= 1  # the table of zones not patrolled is there
    if path == "/patrols/risk":
        # Every zone's level is in its words, not only its colour; the open hazards link to their list.
        assert page.locator(".cell .risk").count() == page.locator(".cell").count() > 8
        assert all(text.strip() for text in page.locator(".cell .risk").all_inner_texts())
        assert page.locator(".cell a[href^='/hazards?state=open']").count() == 1
    shot(page, f"coverage-{path.split('/')[2].split('?')[0]}-{viewport['width']}x{viewport['height']}")
    assert errors == []
    context.close()
