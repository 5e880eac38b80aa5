"""The hazard list's figures and pages at district scale (issue 12): counted through indexes, one count per
figure and urgency group, they still say what one aggregate said; a page cut anywhere is the slice of one
sorted query; allowed actions decided once per state and facts are the ones decided per hazard; a hazard's
URLs made from one url_for are url_for's."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from server.database import utcnow
from server.extensions import db
from server.hazards import queries, services
from server.hazards.models import Hazard
from server.hazards.views import id_url
from tests.conftest import new_client_id

# Each hazard of the list: (its state, made how many days ago: long enough ago an assigned one is overdue).
HAZARDS = [("reported", 0), ("assigned", 0), ("assigned", 40), ("awaiting_recheck", 0), ("closed", 0),
           ("invalid", 0), ("assigned", 0)]
FIGURES = {"reported": 1, "assigned": 3, "overdue": 1, "awaiting_recheck": 1, "closed_this_month": 1,
           "deferrals": 1}


@pytest.fixture
def district(app, make_user, make_zone, make_hazard):
    """Make the list's hazards (one supervisor, one rectifier); the last assigned one asks for a deferral."""
    supervisor = make_user(roles=("supervisor",))
    rectifier = make_user(roles=("rectifier",))
    zone = make_zone(responsible=rectifier)
    made = [make_hazard(state, zone=zone, supervisor=supervisor, rectifier=rectifier,
                        now=utcnow() - timedelta(days=age)) for state, age in HAZARDS]
    with app.app_context():
        services.perform(db.session.get(type(supervisor), rectifier.id), made[-1].id, services.Command(
            action="request_deferral", client_id=new_client_id(), seen_state="assigned", note="等配件",
            deadline=date.today() + timedelta(days=30)))
    return supervisor, made


def test_the_lists_figures_count_each_through_its_own_query(app, district):
    supervisor, _ = district
    with app.app_context():
        user = db.session.get(type(supervisor), supervisor.id)
        assert queries.hazard_counts(user) == FIGURES


@pytest.mark.parametrize(("limit", "offset"), [(50, 0), (1, 0), (1, 1), (2, 1), (3, 2), (2, 4), (4, 3),
                                               (3, 6), (5, 7)])
def test_a_page_is_the_slice_of_one_sorted_query(app, district, limit, offset):
    supervisor, _ = district
    with app.app_context():
        user = db.session.get(type(supervisor), supervisor.id)
        now = utcnow()
        everything = list(db.session.scalars(select(Hazard.id).order_by(*Hazard.urgency_order(now))))
        page, total = queries.list_hazards(user, limit=limit, offset=offset, now=now)
        assert ([h.id for h in page], total) == (everything[offset:offset + limit], len(HAZARDS))


def test_the_overdue_hazard_comes_first_and_the_finished_last(app, district):
    supervisor, made = district
    with app.app_context():
        page, _ = queries.list_hazards(db.session.get(type(supervisor), supervisor.id))
        # Finished ones by deadline, none last: the closed one had a deadline, the invalidated one never.
        assert [h.id for h in page[:1] + page[-2:]] == [made[2].id, made[4].id, made[5].id]


@pytest.mark.parametrize("who", ["supervisor", "rectifier"])
def test_actions_decided_once_per_state_and_facts_are_those_decided_per_hazard(app, district, who):
    supervisor, made = district
    actor = supervisor if who == "supervisor" else made[0].people.rectifier
    with app.app_context():
        user = db.session.get(type(supervisor), actor.id)
        hazards = [db.session.get(Hazard, h.id) for h in made]
        memo: dict = {}
        assert [services.allowed_actions(user, h, memo) for h in hazards] == \
            [services.allowed_actions(user, h) for h in hazards]
        assert len(memo) < len(hazards)  # two hazards alike were decided once


def test_a_deferral_no_longer_asked_leaves_the_count(app, district):
    supervisor, made = district
    with app.app_context():
        db.session.execute(update(Hazard).where(Hazard.id == made[-1].id).values(
            deferral_requested_at=None, deferral_deadline=None, deferral_reason=None))
        db.session.commit()
        assert queries.hazard_counts(db.session.get(type(supervisor), supervisor.id))["deferrals"] == 0


@pytest.mark.parametrize(("endpoint", "key", "record_id", "expected"), [
    ("hazards.detail", "hazard_id", 7, "/hazards/7"),
    ("hazards.act", "hazard_id", 42, "/hazards/42/act"),
    ("api.photo", "photo_id", 9, "/api/v1/photos/9"),
    ("api.photo_thumb", "photo_id", 123456789012, "/api/v1/photos/123456789012/thumb"),
])
def test_a_url_made_once_then_formatted_is_url_fors(app, endpoint, key, record_id, expected):
    from flask import url_for

    with app.test_request_context():
        assert id_url(endpoint, key)(record_id) == expected == url_for(endpoint, **{key: record_id})
