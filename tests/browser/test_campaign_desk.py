"""The special inspections' desk screens in a real Chromium at a desk's size and a phone's: axe finds nothing
on making one, editing a checklist, the progress page and the printable report; nothing scrolls sideways but
the tables in their own boxes; a supervisor makes an inspection through the form on a first visit."""

import pytest

from tests.browser.conftest import shot, sign_in
from tests.campaigns.conftest import make_campaign, make_template  # noqa: F401 - fixtures
from tests.campaigns.test_desk import answered  # noqa: F401 - a campaign with known answers
from tests.campaigns.test_pages import five  # noqa: F401 - five zones, two zones a page

DESK = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 780}
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
SCREENS = {"new": "/campaigns/new", "template": "/campaigns/templates/{template}",
           "progress": "/campaigns/{campaign}", "report": "/campaigns/{campaign}/report"}


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
@pytest.mark.parametrize("screen", SCREENS)
def test_campaign_screens_pass_axe_at_desk_and_phone_sizes(app, answered, browser, live, make_user,  # noqa: F811
                                                          viewport, screen):
    from axe_playwright_python.sync_playwright import Axe

    from server.campaigns.models import Campaign
    from server.extensions import db

    with app.app_context():
        template = db.session.get(Campaign, answered.campaign.id).template_id
    boss = make_user(roles=("supervisor",))
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live, boss.username)

    path = SCREENS[screen].format(campaign=answered.campaign.id, template=template)
    assert page.goto(f"{live}{path}").status == 200

    assert page.evaluate(SIDEWAYS) <= 0
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                  for v in Axe().run(page).response["violations"]]
    assert violations == []
    small = page.evaluate("""[...document.querySelectorAll('main button, main input, main select')]
        .filter(e => e.offsetParent !== null && e.type !== 'hidden' && e.type !== 'checkbox'
                && e.type !== 'radio')
        .map(e => e.getBoundingClientRect()).filter(r => r.height < 44 && r.width > 0).length""")
    assert small == 0  # 44 px touch targets
    shot(page, f"campaign-{screen}-{viewport['width']}x{viewport['height']}")
    assert errors == []
    context.close()


def test_a_supervisor_makes_an_inspection_through_the_form(app, browser, live, make_user, make_zone,
                                                           make_template):  # noqa: F811
    from server.campaigns.models import Campaign
    from server.extensions import db

    make_zone(code="JX-1", name="教学楼一楼", building="教学楼")
    make_template(name="消防安全检查")
    boss = make_user(roles=("supervisor",))
    context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live, boss.username)
    page.goto(f"{live}/campaigns/new")

    page.fill("#title", "国庆节前安全专项检查")
    page.fill("#ends_on", page.input_value("#starts_on"))
    page.select_option("#template_id", label="消防安全检查")
    page.click("main form button[type=submit]")

    page.wait_for_url("**/campaigns/*")
    assert page.locator("h1").inner_text() == "国庆节前安全专项检查"
    with app.app_context():
        made = db.session.scalar(db.select(Campaign))
        assert ([z.code for z in made.zones], len(made.items)) == (["JX-1"], 3)
    context.close()


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_the_paged_zones_pass_axe_and_the_pager_leads_on(app, five, browser, live, make_user,  # noqa: F811
                                                         viewport):
    from axe_playwright_python.sync_playwright import Axe

    boss = make_user(roles=("supervisor",))
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live, boss.username)
    page.goto(f"{live}/campaigns/{five.campaign.id}")
    page.click("nav.pager a[rel=next]")
    page.wait_for_url("**?page=2")

    rows = page.locator("table.campaign-zones tbody th[scope=row]").all_inner_texts()
    assert [row.split()[0] for row in rows] == ["E-1", "A-1"]
    assert page.evaluate(SIDEWAYS) <= 0
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                  for v in Axe().run(page).response["violations"]]
    assert violations == []
    heights = page.evaluate(
        "[...document.querySelectorAll('nav.pager a')].map(a => a.getBoundingClientRect().height)")
    assert len(heights) == 2 and min(heights) >= 44  # previous and next, 44 px touch targets
    shot(page, f"campaign-progress-page-2-{viewport['width']}x{viewport['height']}")
    context.close()
