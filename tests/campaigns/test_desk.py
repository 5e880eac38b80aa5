"""The desk's special inspections: making one, checklists, progress and report figures, .xlsx, the alert."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.extensions import db
from tests.campaigns.test_api import all_pass, post_answer
from tests.conftest import photo_bytes


def in_english(client):
    """Switch the client's session to English (the new words reach the Chinese catalog when it is merged)."""
    client.post("/api/v1/session/locale", json={"locale": "en"})
    return client


@pytest.fixture
def answered(make_zone, make_campaign, login_as):
    """A campaign over zones A, B, C with known answers: A twice (the latest fails item 1), B once (fails
    item 2), C never."""
    from types import SimpleNamespace

    a, b, c = make_zone(code="A-1", name="甲区"), make_zone(code="B-1", name="乙区"), make_zone(code="C-1",
                                                                                            name="丙区")
    campaign = make_campaign([a, b, c])
    one, two, three = campaign.item_ids
    patrol = login_as("patrol", display_name="李老师")
    post_answer(patrol, campaign, a.id, all_pass(campaign.item_ids))
    post_answer(patrol, campaign, a.id, [(one, "fail"), (two, "pass"), (three, "na")],
                photos={one: [photo_bytes()]})
    post_answer(patrol, campaign, b.id, [(one, "pass"), (two, "fail"), (three, "pass")],
                photos={two: [photo_bytes()]})
    return SimpleNamespace(campaign=campaign, zones=(a, b, c))


def test_progress_counts_each_zone_once_with_its_latest_answer(app, answered):
    from server.campaigns import queries
    from server.campaigns.models import Campaign

    with app.app_context():
        shown = queries.progress(db.session.get(Campaign, answered.campaign.id))
        zones = [(z.zone.code, z.answered_by, z.rounds, z.failed, [s for _, s in z.hazards])
                 for z in shown.zones]
        items = [(i.item.text, i.passed, i.failed, i.not_applicable) for i in shown.items]
        assert (shown.answered, shown.hazards_opened) == (2, 2)

    assert zones == [("A-1", "李老师", 2, ["灭火器压力正常"], ["reported"]),
                     ("B-1", "李老师", 1, ["配电箱上锁"], ["reported"]),
                     ("C-1", "", 0, [], [])]
    # A's latest: fail, pass, n.a.; B's: pass, fail, pass (A's first round, all passed, is not counted).
    assert items == [("灭火器压力正常", 1, 1, 0), ("配电箱上锁", 1, 1, 0), ("通道畅通", 1, 0, 1)]


@pytest.mark.parametrize("path", ["/campaigns/{id}", "/campaigns/{id}/report"])
def test_progress_and_report_pages_show_the_figures(answered, login_as, path):
    page = in_english(login_as("supervisor")).get(path.format(id=answered.campaign.id)).get_data(as_text=True)

    assert "国庆节前安全专项检查" in page
    assert "<strong>2</strong> / 3" in page or "<td>2 / 3</td>" in page  # zones answered
    assert "甲区" in page and "丙区" in page
    assert "Not answered" in page  # C has no answer


def test_the_xlsx_holds_the_zones_and_the_items(answered, login_as):
    response = login_as("supervisor").get(f"/campaigns/{answered.campaign.id}/report.xlsx")

    book = load_workbook(io.BytesIO(response.data), read_only=True)
    zones = [row[:5] + row[5:6] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)]
    items = list(book.worksheets[1].iter_rows(min_row=3, values_only=True))
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert [(z[0], z[1], z[3], z[4], z[5]) for z in zones] == [
        ("A-1", "甲区", "李老师", 2, "灭火器压力正常"), ("B-1", "乙区", "李老师", 1, "配电箱上锁"),
        ("C-1", "丙区", None, 0, None)]
    assert items == [("消防", "灭火器压力正常", 1, 1, 0), ("用电", "配电箱上锁", 1, 1, 0),
                     ("其他", "通道畅通", 1, 0, 1)]


def test_a_supervisor_makes_a_campaign_on_the_desk_by_building(app, make_zone, make_template, login_as):
    from server.campaigns.models import Campaign

    inside = [make_zone(building="教学楼"), make_zone(building="教学楼")]
    make_zone(building="宿舍楼")
    template_id = make_template()
    today = _today()

    response = login_as("supervisor").post("/campaigns/new", data={
        "title": "期中安全检查", "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=2)).isoformat(), "template_id": str(template_id),
        "scope": "buildings", "buildings": "教学楼"})

    assert response.status_code == 302
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.title == "期中安全检查"))
        assert sorted(z.id for z in campaign.zones) == sorted(z.id for z in inside)
        assert [i.text for i in campaign.items] == ["灭火器压力正常", "配电箱上锁", "通道畅通"]


@pytest.mark.parametrize(("fields", "says"), [
    ({"ends_on": "2020-01-01", "starts_on": "2019-12-30"}, "already passed"),
    ({"scope": "zones"}, "at least one zone"),
])
def test_a_campaign_that_cannot_be_made_says_why(make_zone, make_template, login_as, fields, says):
    make_zone()
    today = _today()
    data = {"title": "检查", "starts_on": today.isoformat(), "ends_on": today.isoformat(),
            "template_id": str(make_template()), "scope": "all", **fields}

    response = in_english(login_as("supervisor")).post("/campaigns/new", data=data)

    assert response.status_code == 422
    assert says in response.get_data(as_text=True)


def test_editing_a_template_leaves_a_running_campaign_as_it_was(app, make_zone, make_campaign, login_as):
    from server.campaigns.models import Campaign, ChecklistTemplate

    campaign = make_campaign([make_zone()])
    with app.app_context():
        template_id = db.session.get(Campaign, campaign.id).template_id

    response = login_as("admin").post(f"/campaigns/templates/{template_id}", data={
        "name": "新版检查表", "items-0-group": "消防", "items-0-category_id": "0",
        "items-0-text": "新的检查项",
        "items-1-group": "", "items-1-category_id": "0", "items-1-text": ""})

    assert response.status_code == 302
    with app.app_context():
        assert [i.text for i in db.session.get(ChecklistTemplate, template_id).items] == ["新的检查项"]
        running = [i.text for i in db.session.get(Campaign, campaign.id).items]
    assert running == ["灭火器压力正常", "配电箱上锁", "通道畅通"]


def test_the_default_checklists_cover_the_six_areas_with_five_to_ten_items(app):
    from server.campaigns import queries, services

    with app.app_context():
        services.ensure_default_templates()
        services.ensure_default_templates()  # twice: nothing added again
        shown = {t.code: (t.name, len(t.items), all(i.standard and i.remedy and i.text_en for i in t.items))
                 for t in queries.templates()}

    assert shown == {"fire": ("消防安全检查", 6, True), "electricity": ("用电安全检查", 6, True),
                     "canteen": ("食堂安全检查", 7, True), "dormitory": ("学生宿舍安全检查", 5, True),
                     "equipment": ("特种设备安全检查", 5, True), "holiday": ("节假日前安全检查", 6, True)}


def test_the_hazard_page_names_its_campaign_and_item(answered, login_as, app):
    from server.campaigns.models import ItemResult

    with app.app_context():
        hazard_id = db.session.scalar(select(func.min(ItemResult.hazard_id)))

    page = in_english(login_as("supervisor")).get(f"/hazards/{hazard_id}").get_data(as_text=True)

    assert "Special inspection: 国庆节前安全专项检查 · EN 灭火器压力正常" in page  # the item's English text


# -- The start alert ----------------------------------------------------------------------------------------

def _today():
    from tests.hazards.apihelp import school_today

    return school_today()


def _deliveries(app) -> int:
    from server.webhooks.models import CAMPAIGN_START, WebhookDelivery

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                                 .where(WebhookDelivery.event == CAMPAIGN_START))


@pytest.fixture
def hook(app):
    """A webhook that takes the campaign_start event."""
    from server.webhooks.services import add_webhook

    with app.app_context():
        add_webhook("安全群", "wecom", "https://chat.example/hook", ["campaign_start"])
        db.session.commit()


def test_a_campaign_whose_first_day_comes_is_announced_once_over_two_daily_passes(app, runner, hook,
                                                                                   make_zone, make_campaign):
    from server.campaigns.models import Campaign

    campaign = make_campaign([make_zone()], start=1)  # starts tomorrow: nothing yet
    assert _deliveries(app) == 0
    with app.app_context():  # the first day comes
        db.session.get(Campaign, campaign.id).starts_on = _today()
        db.session.commit()

    first = runner.invoke(args=["daily"])
    counted = _deliveries(app)
    second = runner.invoke(args=["daily"])

    assert "Special inspections starting: 1 announced." in first.output
    assert "Special inspections starting: 0 announced." in second.output
    assert (counted, _deliveries(app)) == (1, 1)


def test_a_campaign_made_active_today_is_announced_at_once_and_not_again(app, runner, hook, make_zone,
                                                                        make_campaign):
    make_campaign([make_zone()])

    assert _deliveries(app) == 1
    runner.invoke(args=["daily"])
    assert _deliveries(app) == 1


def test_init_db_ships_the_default_checklists_once(tmp_path):
    from server.campaigns.models import ChecklistTemplate
    from tests.test_cli import _fresh_app

    app = _fresh_app(tmp_path)
    runner = app.test_cli_runner()

    first, second = runner.invoke(args=["init-db"]), runner.invoke(args=["init-db"])

    assert (first.exit_code, second.exit_code) == (0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChecklistTemplate)) == 6
