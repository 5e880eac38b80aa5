"""A rectifier with more tasks than one page (issue 12: the phone gets the first page and asks for more): home
says how many in all and leads to the list; the list shows a page, its count, and the next page on asking."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import serious_violations, shot, sign_in

PAGE = 50  # server/hazards/schemas.py TASKS_PAGE: what the app's first request gets
TASKS = PAGE + 2
SHOWN = re.compile(rf"(已显示 {PAGE} 条，共 {TASKS} 条|{PAGE} of {TASKS} shown)")


def test_a_rectifier_pages_through_more_tasks_than_one_page(live, phone, make_user, make_zone, make_hazard):
    rectifier = make_user(roles=("rectifier",))
    zone = make_zone(name="锅炉房")
    for n in range(TASKS):
        make_hazard("assigned", zone=zone, rectifier=rectifier, description=f"隐患 {n + 1}")
    phone.set_viewport_size({"width": 360, "height": 780})
    sign_in(phone, live, rectifier.username)

    home = phone.locator("#my-tasks")
    expect(home.locator("li")).to_have_count(PAGE)
    expect(home).to_contain_text(SHOWN)
    home.get_by_role("link", name=re.compile("查看清单|See the list")).click()
    expect(phone).to_have_url(f"{live}/app/tasks")

    items = phone.locator("main ul[aria-labelledby=to-rectify] li")
    expect(items).to_have_count(PAGE)
    expect(phone.locator("#to-rectify-count")).to_have_text(SHOWN)
    more = phone.locator("#more-tasks")
    assert more.bounding_box()["height"] >= 44
    shot(phone, "tasks-more")
    assert serious_violations(phone) == []

    more.click()
    expect(items).to_have_count(TASKS)
    expect(phone.locator("#to-rectify-count")).to_have_text("")
    expect(more).to_be_hidden()
    expect(items.nth(PAGE).locator("a")).to_be_focused()  # the reader goes on from the first item added
    assert len(set(items.all_inner_texts())) == TASKS  # every task once, none twice
    assert serious_violations(phone) == []
    assert phone.js_errors == []
