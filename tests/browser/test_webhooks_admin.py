"""The admin's webhook pages in a real Chromium, at a phone's 360 px and on a desktop: no sideways scrolling,
no axe violations, and a webhook added, tested (queued) and logged through the forms with CSRF on."""

import pytest

from tests.browser.test_admin_pages import DESKTOP, PHONE, SIDEWAYS, _admin_page


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_webhook_pages_fit_pass_axe_and_work(app, browser, live, make_user, viewport):
    from axe_playwright_python.sync_playwright import Axe

    page = _admin_page(browser, live, make_user, viewport)  # signed in as an admin, in Chinese
    page.goto(f"{live}/admin/webhooks/new")
    page.fill("#name", "安全办群")
    page.select_option("#format", "dingtalk")
    page.fill("#url", "https://oapi.dingtalk.com/robot/send?access_token=abc")
    page.fill("#secret", "SECabc")
    page.check("input[name=events][value=major_hazard]")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live}/admin/webhooks/")
    page.click("a.button:has-text('安全办群')")
    page.click("form.actions button[type=submit]")  # the test button: queued, never sent in the request
    page.wait_for_load_state("networkidle")
    assert page.locator("table.stack tbody tr").count() == 1

    axe = Axe()
    for path in (page.url.removeprefix(live), "/admin/webhooks/", "/admin/webhooks/new"):
        page.goto(live + path)
        overflow = page.evaluate(SIDEWAYS)
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        violations = [(v["id"], v["help"]) for v in axe.run(page).response["violations"]]
        assert violations == [], f"{path}: {violations}"
    page.context.close()
