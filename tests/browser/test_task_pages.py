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


ROUND_PAGE = 10  # server/patrols/schemas.py ROUND_PAGE: the zones due the app's first request gets
ZONES = ROUND_PAGE + 2
RECHECKS = PAGE + 2
ROUND_SHOWN = re.compile(rf"(已显示 {ROUND_PAGE} 条，共 {ZONES} 条|{ROUND_PAGE} of {ZONES} shown)")
RECHECKS_WAITING = re.compile(rf"(有 {RECHECKS} 个隐患等待您复查|{RECHECKS} hazards await your recheck)")


def test_a_supervisor_sees_a_page_of_the_round_and_how_many_rechecks_in_all(live, phone, make_user, make_zone,
                                                                             make_hazard):
    supervisor = make_user(roles=("supervisor", "patrol"))
    zones = [make_zone(name=f"{n + 1:02d}号教室", frequency="daily") for n in range(ZONES)]
    reported_in = make_zone(name="锅炉房")  # patrolled today by the reports: not due
    for _ in range(RECHECKS):
        make_hazard("awaiting_recheck", zone=reported_in, supervisor=supervisor)
    phone.set_viewport_size({"width": 360, "height": 780})
    sign_in(phone, live, supervisor.username)
    phone.goto(f"{live}/app")  # a supervisor lands on the desk: the field app is a tap away

    # All the rechecks counted, though the phone got only their first page.
    expect(phone.locator("#rechecks-waiting")).to_contain_text(RECHECKS_WAITING)
    round_items = phone.locator("#round ul.round li")
    expect(round_items).to_have_count(ROUND_PAGE)
    expect(phone.locator("#round-count")).to_have_text(ROUND_SHOWN)
    more = phone.locator("#more-round")
    assert more.bounding_box()["height"] >= 44
    assert serious_violations(phone) == []

    more.click()
    expect(round_items).to_have_count(ZONES)
    expect(more).to_be_hidden()
    expect(phone.locator("#round-count")).to_have_text("")
    expect(round_items.nth(ROUND_PAGE).locator("a")).to_be_focused()  # the reader goes on from the first new
    assert sorted(round_items.locator("strong").all_inner_texts()) == sorted(z.name for z in zones)
    shot(phone, "round-more")
    assert serious_violations(phone) == []
    assert phone.js_errors == []
