"""Defects met walking the field app: a screen that fails says so and offers a way on (a hazard no longer
there, a link from an old notice, showed only "出错了：没有该隐患。", the header's app name the one way
out)."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import serious_violations, sign_in


def test_a_hazard_that_is_not_there_leads_home(live, phone, make_user):
    patrol = make_user(roles=("patrol",))
    sign_in(phone, live, patrol.username)
    phone.goto(f"{live}/app/hazards/999999")
    expect(phone.locator("main .notice-error")).to_have_text(re.compile("没有该隐患"))
    home = phone.get_by_role("link", name="首页", exact=True)
    expect(home).to_be_visible()
    assert home.bounding_box()["height"] >= 44
    assert serious_violations(phone) == []
    home.click()
    expect(phone).to_have_url(f"{live}/app")
    expect(phone.locator("main .notice-error")).to_have_count(0)
    assert phone.js_errors == []
