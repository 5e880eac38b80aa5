"""Overdue (逾期) is derived from the state and the deadline, never stored; overdue hazards come first."""

from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from server.database import utcnow
from server.extensions import db
from server.hazards.models import Hazard
from tests.hazards.apihelp import act, school_today


def test_overdue_is_computed_and_first_in_every_list(app, make_hazard, make_user, sign_in):
    rectifier = make_user(roles=("rectifier",))
    supervisor = make_user(roles=("supervisor",))
    month_ago = utcnow() - timedelta(days=30)
    late = make_hazard("assigned", rectifier=rectifier, supervisor=supervisor, now=month_ago)
    fresh = make_hazard("assigned", rectifier=rectifier, supervisor=supervisor)
    later = make_hazard("assigned", rectifier=rectifier, supervisor=supervisor, severity="general",
                        category="campus")
    reported = make_hazard("reported", supervisor=supervisor)

    tasks = sign_in(rectifier).get("/api/v1/me/tasks").get_json()
    assert [t["id"] for t in tasks["tasks"]][0] == late.id and tasks["overdue"] == 1
    assert [t["overdue"] for t in tasks["tasks"]] == [True, False, False]
    assert {t["id"] for t in tasks["tasks"]} == {late.id, fresh.id, later.id}

    desk = sign_in(supervisor)
    listed = desk.get("/api/v1/hazards").get_json()["hazards"]
    assert listed[0]["id"] == late.id and listed[-1]["id"] == reported.id  # no deadline: last
    only = desk.get("/api/v1/hazards?overdue=1").get_json()
    assert [h["id"] for h in only["hazards"]] == [late.id] and only["total"] == 1
    assert late.id not in [h["id"] for h in desk.get("/api/v1/hazards?overdue=0").get_json()["hazards"]]
    assigned = desk.get("/api/v1/hazards?state=assigned,reported&limit=2").get_json()
    assert assigned["total"] == 4 and len(assigned["hazards"]) == 2
    assert desk.get("/api/v1/hazards?state=lost").status_code == 422
    assert desk.get("/api/v1/hazards?limit=0").status_code == 422

    with app.app_context():
        def overdue(now=None, *where):
            return db.session.scalar(select(func.count(Hazard.id)).where(Hazard.overdue_at(now or utcnow()),
                                                                         *where))

        assert overdue() == 1 and overdue(None, Hazard.rectifier_id == rectifier.id) == 1
        # The Python property and the SQL expression agree, and nothing of it is stored.
        rows = db.session.scalars(select(Hazard)).all()
        by_sql = set(db.session.scalars(select(Hazard.id).where(Hazard.overdue)))
        assert by_sql == {h.id for h in rows if h.overdue} == {late.id}
        assert "overdue" not in {c.key for c in inspect(Hazard).columns}
        # Tomorrow's view: passing `now` moves the clock without touching the data.
        in_a_month = utcnow() + timedelta(days=40)
        assert overdue(in_a_month) == 3


def test_an_approved_deferral_ends_the_overdue(make_hazard, sign_in):
    hazard = make_hazard("assigned", now=utcnow() - timedelta(days=30))
    fixer, supervisor = sign_in(hazard.people.rectifier), sign_in(hazard.people.supervisor)
    assert fixer.get(f"/api/v1/hazards/{hazard.id}").get_json()["hazard"]["overdue"] is True
    day = (school_today() + timedelta(days=3)).isoformat()
    response = act(fixer, hazard.id, "request_deferral", "assigned", note="设备需订货", deadline=day)
    assert response.status_code == 201
    body = act(supervisor, hazard.id, "approve_deferral", "assigned").get_json()["hazard"]
    assert body["overdue"] is False and body["deadline_date"] == day


@pytest.mark.parametrize("state", ["awaiting_recheck", "closed"])
def test_closed_and_awaiting_hazards_are_never_overdue(make_hazard, sign_in, state):
    hazard = make_hazard(state, now=utcnow() - timedelta(days=30))
    assert sign_in(hazard.people.supervisor).get(
        f"/api/v1/hazards/{hazard.id}").get_json()["hazard"]["overdue"] is False
