"""The campaign API as the field app uses it: today's campaigns, and answering a zone's checklist."""

import io
import json

import pytest
from sqlalchemy import func, select

from server.extensions import db
from tests.conftest import new_client_id, photo_bytes


def post_answer(client, campaign, zone_id, results, *, photos=None, client_id=None, notes=None, **fields):
    """POST an answer as the field app does: multipart, the answers as JSON text, photo_<item_id> parts."""
    answers = [{"item_id": item_id, "result": result} for item_id, result in results]
    for entry in answers:
        if entry["item_id"] in (notes or {}):
            entry["note"] = notes[entry["item_id"]]
    data = {"client_id": new_client_id() if client_id is None else client_id, "zone_id": str(zone_id),
            "answered_at": "2026-09-26T09:30:00+08:00", "on_site": "true", "answers": json.dumps(answers)}
    data.update(fields)
    for item_id, pictures in (photos or {}).items():
        data[f"photo_{item_id}"] = [(io.BytesIO(p), f"p{i}.jpg") for i, p in enumerate(pictures)]
    return client.post(f"/api/v1/campaigns/{campaign.id}/answers", data=data,
                       content_type="multipart/form-data")


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def world(make_zone, make_campaign, login_as):
    """Two zones in an active campaign, one zone outside it, and a signed-in patrol."""
    from types import SimpleNamespace

    inside, other, outside = make_zone(), make_zone(), make_zone()
    campaign = make_campaign([inside, other])
    return SimpleNamespace(campaign=campaign, zone=inside, other=other, outside=outside,
                           patrol=login_as("patrol"), items=campaign.item_ids)


def all_pass(items):
    return [(i, "pass") for i in items]


# -- GET /campaigns/active ----------------------------------------------------------------------------------

def test_active_lists_todays_campaign_with_its_checklist_and_answered_zones(world):
    post_answer(world.patrol, world.campaign, world.zone.id, all_pass(world.items))

    body = world.patrol.get("/api/v1/campaigns/active").get_json()

    assert [c["id"] for c in body["campaigns"]] == [world.campaign.id]
    campaign = body["campaigns"][0]
    assert campaign["title"] == "国庆节前安全专项检查"
    assert campaign["zone_ids"] == sorted([world.zone.id, world.other.id])
    assert campaign["answered_zone_ids"] == [world.zone.id]
    assert [(i["group"], i["text"], i["standard"], i["remedy"]) for i in campaign["items"]] == [
        ("消防", "灭火器压力正常", "标准", "处置"), ("用电", "配电箱上锁", "标准", "处置"),
        ("其他", "通道畅通", "标准", "处置")]


def test_active_speaks_english_where_the_item_has_an_english_text(world):
    world.patrol.post("/api/v1/session/locale", json={"locale": "en"})

    items = world.patrol.get("/api/v1/campaigns/active").get_json()["campaigns"][0]["items"]

    assert [i["text"] for i in items] == ["EN 灭火器压力正常", "EN 配电箱上锁", "EN 通道畅通"]
    assert [i["group"] for i in items] == ["消防", "用电", "其他"]  # no English group given: Chinese


@pytest.mark.parametrize(("start", "days", "cancel", "listed"), [
    (0, 1, False, True),     # today only
    (-3, 4, False, True),    # its last day is today
    (1, 3, False, False),    # starts tomorrow
    (-5, 2, False, False),   # ended
    (0, 3, True, False),     # cancelled
])
def test_active_means_today_within_the_dates_and_not_cancelled(app, make_zone, make_campaign, login_as,
                                                               start, days, cancel, listed):
    campaign = make_campaign([make_zone()], start=start, days=days)
    if cancel:
        from server.campaigns.models import Campaign
        from server.database import utcnow

        with app.app_context():
            db.session.get(Campaign, campaign.id).cancelled_at = utcnow()
            db.session.commit()

    body = login_as("patrol").get("/api/v1/campaigns/active").get_json()

    assert [c["id"] for c in body["campaigns"]] == ([campaign.id] if listed else [])


def test_active_answers_304_when_the_phone_has_it(world):
    first = world.patrol.get("/api/v1/campaigns/active")

    again = world.patrol.get("/api/v1/campaigns/active", headers={"If-None-Match": first.headers["ETag"]})

    assert (first.status_code, again.status_code) == (200, 304)


@pytest.mark.parametrize(("roles", "status"), [
    (("patrol",), 200), (("supervisor",), 200), (("admin",), 200), (("rectifier",), 403)])
def test_active_is_for_those_who_patrol(world, login_as, roles, status):
    assert login_as(*roles).get("/api/v1/campaigns/active").status_code == status


# -- POST /campaigns/<id>/answers ---------------------------------------------------------------------------

def test_an_answer_with_nothing_failed_records_a_no_hazard_visit(app, world):
    from server.campaigns.models import CampaignAnswer
    from server.hazards.models import Hazard
    from server.patrols.models import PatrolVisit

    response = post_answer(world.patrol, world.campaign, world.zone.id, all_pass(world.items))

    body = response.get_json()
    assert response.status_code == 201
    assert body["created"] is True
    assert body["answer"]["hazard_ids"] == []
    assert (body["answer"]["campaign_id"], body["answer"]["zone_id"]) == (world.campaign.id, world.zone.id)
    with app.app_context():
        answer = db.session.get(CampaignAnswer, body["answer"]["id"])
        visit = db.session.get(PatrolVisit, answer.visit_id)
        assert (visit.zone_id, visit.result, answer.on_site) == (world.zone.id, "no_hazard", True)
    assert count(app, Hazard) == 0


def test_a_failed_item_opens_exactly_one_hazard_linked_to_it(app, world):
    from server.campaigns.models import ItemResult
    from server.hazards.models import Hazard, Photo
    from server.patrols.models import PatrolVisit

    failed = world.items[0]
    results = [(failed, "fail"), (world.items[1], "pass"), (world.items[2], "na")]

    response = post_answer(world.patrol, world.campaign, world.zone.id, results,
                           photos={failed: [photo_bytes(), photo_bytes((10, 20, 30))]},
                           notes={failed: "三楼东侧灭火器压力不足"})

    assert response.status_code == 201, response.get_json()
    hazard_ids = response.get_json()["answer"]["hazard_ids"]
    assert len(hazard_ids) == 1
    with app.app_context():
        hazard = db.session.get(Hazard, hazard_ids[0])
        link = db.session.scalar(select(ItemResult).where(ItemResult.hazard_id == hazard.id))
        assert (hazard.state, hazard.severity, hazard.zone_id) == ("reported", "general", world.zone.id)
        assert hazard.category.code == "fire"
        assert hazard.description == "灭火器压力正常\n三楼东侧灭火器压力不足"
        assert (link.item_id, link.result) == (failed, "fail")
        assert db.session.get(PatrolVisit, hazard.visit_id).result == "hazards_found"
    assert count(app, Photo, Photo.hazard_id == hazard_ids[0]) == 2
    assert count(app, Hazard) == 1
    assert count(app, PatrolVisit) == 1


def test_a_failed_item_without_a_category_goes_to_other(app, world):
    from server.hazards.models import Hazard

    uncategorised = world.items[2]
    results = [(world.items[0], "pass"), (world.items[1], "pass"), (uncategorised, "fail")]

    response = post_answer(world.patrol, world.campaign, world.zone.id, results,
                           photos={uncategorised: [photo_bytes()]})

    with app.app_context():
        assert db.session.get(Hazard, response.get_json()["answer"]["hazard_ids"][0]).category.code == "other"


def test_a_resent_answer_answers_200_and_makes_nothing(app, world):
    from server.campaigns.models import CampaignAnswer
    from server.hazards.models import Hazard, Photo
    from server.patrols.models import PatrolVisit

    client_id = new_client_id()
    results = [(world.items[0], "fail"), (world.items[1], "pass"), (world.items[2], "pass")]
    photos = {world.items[0]: [photo_bytes()]}
    def send():
        return post_answer(world.patrol, world.campaign, world.zone.id, results, photos=photos,
                           client_id=client_id)

    first = send()
    again = send()

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["created"] is False
    assert again.get_json()["answer"] == first.get_json()["answer"]
    assert [count(app, m) for m in (CampaignAnswer, Hazard, Photo, PatrolVisit)] == [1, 1, 1, 1]


def test_a_client_id_reused_for_other_content_is_409(world):
    client_id = new_client_id()
    post_answer(world.patrol, world.campaign, world.zone.id, all_pass(world.items), client_id=client_id)

    other = post_answer(world.patrol, world.campaign, world.other.id, all_pass(world.items),
                        client_id=client_id)

    assert other.status_code == 409
    assert other.get_json()["error"]["details"]["reason"] == "client_id_reused"


def test_a_later_round_is_accepted_and_the_zone_counts_once_with_its_latest(app, world):
    from server.campaigns import queries
    from server.campaigns.models import Campaign

    post_answer(world.patrol, world.campaign, world.zone.id, all_pass(world.items))
    later = post_answer(world.patrol, world.campaign, world.zone.id,
                        [(world.items[0], "na"), (world.items[1], "pass"), (world.items[2], "pass")])

    assert later.status_code == 201
    with app.app_context():
        progress = queries.progress(db.session.get(Campaign, world.campaign.id))
        assert progress.answered == 1
        assert [(p.passed, p.failed, p.not_applicable) for p in progress.items] == [(0, 0, 1), (1, 0, 0),
                                                                                   (1, 0, 0)]


@pytest.mark.parametrize(("case", "field", "code"), [
    ("zone outside the campaign", "zone_id", "not_in_campaign"),
    ("an item missing", "answers", "missing_item"),
    ("an unknown item", "answers", "unknown_item"),
    ("an item twice", "answers", "duplicate_item"),
    ("a bad result", "answers", "bad_result"),
    ("a failed item without a photo", "photo_FIRST", "required"),
    ("a photo of a passed item", "photo_FIRST", "not_allowed"),
    ("answers that are not JSON", "answers", "invalid"),
    ("answers that are not a list", "answers", "invalid"),
    ("no client id", "client_id", "required"),
])
def test_bad_answers_are_422_with_the_field_named_and_nothing_written(app, world, case, field, code):
    from server.campaigns.models import CampaignAnswer
    from server.hazards.models import Hazard
    from server.patrols.models import PatrolVisit

    first, second, third = world.items
    zone, results, photos, extra = world.zone.id, all_pass(world.items), None, {}
    if case == "zone outside the campaign":
        zone = world.outside.id
    elif case == "an item missing":
        results = results[:2]
    elif case == "an unknown item":
        results = [*results, (third + 1000, "pass")]
    elif case == "an item twice":
        results = [*results, (first, "na")]
    elif case == "a bad result":
        results = [(first, "ok"), (second, "pass"), (third, "pass")]
    elif case == "a failed item without a photo":
        results = [(first, "fail"), (second, "pass"), (third, "pass")]
    elif case == "a photo of a passed item":
        photos = {first: [photo_bytes()]}
    elif case == "answers that are not JSON":
        extra = {"answers": "pass, pass, pass"}
    elif case == "answers that are not a list":
        extra = {"answers": json.dumps({"item_id": first, "result": "pass"})}
    elif case == "no client id":
        extra = {"client_id": ""}

    response = post_answer(world.patrol, world.campaign, zone, results, photos=photos, **extra)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["details"] == {field.replace("FIRST", str(first)): code}
    assert error["message"]
    assert [count(app, m) for m in (CampaignAnswer, Hazard, PatrolVisit)] == [0, 0, 0]


@pytest.mark.parametrize(("start", "days", "cancel", "says"), [
    (1, 3, False, "starts on"),
    (-5, 2, False, "ended on"),
    (0, 3, True, "cancelled"),
])
def test_an_answer_outside_the_campaigns_days_is_409_saying_why(app, make_zone, make_campaign, login_as,
                                                                start, days, cancel, says):
    from server.campaigns.models import Campaign, CampaignAnswer
    from server.database import utcnow

    zone = make_zone()
    campaign = make_campaign([zone], start=start, days=days)
    if cancel:
        with app.app_context():
            db.session.get(Campaign, campaign.id).cancelled_at = utcnow()
            db.session.commit()
    patrol = login_as("patrol")
    patrol.post("/api/v1/session/locale", json={"locale": "en"})

    response = post_answer(patrol, campaign, zone.id, all_pass(campaign.item_ids))

    assert response.status_code == 409
    assert says in response.get_json()["error"]["message"]
    assert response.get_json()["error"]["details"] == {"reason": "not_active"}
    assert count(app, CampaignAnswer) == 0


@pytest.mark.parametrize(("roles", "status"), [(("rectifier",), 403), (("admin",), 403)])
def test_answering_needs_a_patrol_or_supervisor(world, login_as, roles, status):
    response = post_answer(login_as(*roles), world.campaign, world.zone.id, all_pass(world.items))

    assert response.status_code == status


def test_an_unknown_campaign_is_404(world):
    world.campaign.id += 10_000

    assert post_answer(world.patrol, world.campaign, world.zone.id, all_pass(world.items)).status_code == 404
