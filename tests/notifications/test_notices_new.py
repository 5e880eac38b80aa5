"""Notifications that reach people: supervisors hear of every new report (major and critical ones urgent),
a notice whose work is done stops counting as unread, and a repeated request announces nothing twice."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.database import utcnow
from server.extensions import db
from server.notifications.models import Notification
from tests.conftest import new_client_id, photo_bytes
from tests.hazards.apihelp import act, category_id, count, report, school_today


def _notices(app, user, hazard_id=None) -> list[tuple[str, bool]]:
    """Return the user's notices as (kind, unread), oldest first (of one hazard when given)."""
    with app.app_context():
        query = select(Notification).where(Notification.user_id == user.id)
        if hazard_id is not None:
            query = query.where(Notification.hazard_id == hazard_id)
        return [(n.kind, n.read_at is None) for n in db.session.scalars(query.order_by(Notification.id))]


def _inbox(client) -> dict:
    return client.get("/api/v1/notifications").get_json()


@pytest.mark.parametrize(("severity", "fixed_on_the_spot", "state", "urgent"), [
    ("general", False, "reported", False),
    ("major", False, "reported", True),
    ("critical", False, "reported", True),
    ("general", True, "closed", False),
    ("major", True, "awaiting_recheck", True),
])
def test_every_supervisor_hears_of_every_new_report(app, make_user, make_zone, sign_in, severity,
                                                      fixed_on_the_spot, state, urgent):
    supervisors = [make_user(roles=("supervisor",)), make_user(roles=("supervisor", "patrol"))]
    patrol = make_user(roles=("patrol",))
    zone = make_zone(name="锅炉房")
    extra = {"fixed_on_the_spot": True, "after_photos": [photo_bytes()]} if fixed_on_the_spot else {}
    made = report(sign_in(patrol), zone.id, category_id(app, "fire"), severity=severity, **extra)
    assert made.status_code == 201, made.get_json()
    hazard = made.get_json()["hazard"]
    assert hazard["state"] == state
    for supervisor in supervisors:
        inbox = _inbox(sign_in(supervisor))
        assert inbox["unread"] == 1
        notice = inbox["notifications"][0]
        assert (notice["kind"], notice["hazard_id"], notice["urgent"]) == ("new_report", hazard["id"], urgent)
        assert f"#{hazard['id']}" in notice["message"] and "锅炉房" in notice["message"]
        assert "消防安全" in notice["message"]  # the category, in the reader's language
    assert _notices(app, patrol) == []  # the reporter is not told of their own report


def test_a_supervisor_who_reports_is_not_told_of_it(app, make_user, make_zone, sign_in):
    reporter, other = make_user(roles=("supervisor", "patrol")), make_user(roles=("supervisor",))
    hazard_id = report(sign_in(reporter), make_zone().id, category_id(app)).get_json()["hazard"]["id"]
    assert _notices(app, reporter) == []
    assert _notices(app, other, hazard_id) == [("new_report", True)]


def test_the_message_says_when_a_report_was_fixed_on_the_spot(app, make_user, make_zone, sign_in):
    supervisor = make_user(roles=("supervisor",))
    patrol = sign_in(make_user(roles=("patrol",)))
    report(patrol, make_zone().id, category_id(app), after_photos=[photo_bytes()], fixed_on_the_spot=True)
    report(patrol, make_zone().id, category_id(app))
    client = sign_in(supervisor)
    client.post("/api/v1/session/locale", json={"locale": "en"})
    fixed, waiting = [n["message"] for n in _inbox(client)["notifications"]][::-1]
    assert fixed.endswith("fixed on the spot.") and not waiting.endswith("fixed on the spot.")


def test_the_desk_list_marks_urgent_reports(app, make_user, make_zone, sign_in):
    supervisor = make_user(roles=("supervisor",))
    patrol = sign_in(make_user(roles=("patrol",)))
    report(patrol, make_zone().id, category_id(app), severity="critical")
    report(patrol, make_zone().id, category_id(app), severity="general")
    page = sign_in(supervisor).get("/notifications").get_data(as_text=True)
    assert page.count('class="badge badge-urgent"') == 1


def test_a_repeated_report_or_action_announces_nothing_twice(app, make_user, make_zone, sign_in):
    supervisor, rectifier = make_user(roles=("supervisor",)), make_user(roles=("rectifier",))
    patrol = sign_in(make_user(roles=("patrol",)))
    zone, building, report_id = make_zone(), category_id(app), new_client_id()
    first = report(patrol, zone.id, building, client_id=report_id)
    again = report(patrol, zone.id, building, client_id=report_id)
    assert (first.status_code, again.status_code) == (201, 200)
    hazard_id = first.get_json()["hazard"]["id"]
    assert _notices(app, supervisor) == [("new_report", True)]
    boss, assign_id = sign_in(supervisor), new_client_id()
    for _ in range(2):
        act(boss, hazard_id, "assign", "reported", rectifier_id=rectifier.id, client_id=assign_id)
    assert _notices(app, rectifier) == [("assigned", True)]


# (the hazard's state, the person whose notice is settled, its kind, the action, who acts)
SETTLED = [
    ("reported", "watcher", "new_report", "assign", "supervisor"),
    ("reported", "watcher", "new_report", "invalidate", "supervisor"),
    ("assigned", "rectifier", "assigned", "submit", "rectifier"),
    ("awaiting_recheck", "watcher", "submitted", "pass", "supervisor"),
    ("awaiting_recheck", "watcher", "submitted", "fail", "supervisor"),
]
FIELDS = {"assign": {}, "invalidate": {"note": "重复上报"}, "submit": {"photos": [photo_bytes()]},
          "pass": {}, "fail": {"note": "仍有松动"}}


@pytest.mark.parametrize(("state", "person", "kind", "action", "actor"), SETTLED,
                         ids=[f"{k} settled by {a}" for _s, _p, k, a, _w in SETTLED])
def test_a_notice_whose_work_is_done_stops_counting_as_unread(app, make_hazard, make_user, sign_in, state,
                                                                person, kind, action, actor):
    watcher = make_user(roles=("supervisor",))
    hazard = make_hazard(state)
    people = {"watcher": watcher, "supervisor": hazard.people.supervisor,
              "rectifier": hazard.people.rectifier}
    reader = sign_in(people[person])
    assert (kind, True) in _notices(app, people[person], hazard.id)
    unread = _inbox(reader)["unread"]
    response = act(sign_in(people[actor]), hazard.id, action, state, **FIELDS[action])
    assert response.status_code == 201, response.get_json()
    assert (kind, False) in _notices(app, people[person], hazard.id)  # still listed, now read
    assert (kind, True) not in _notices(app, people[person], hazard.id)
    assert _inbox(reader)["unread"] == unread - 1  # the action brings this person nothing new


def test_settling_leaves_other_hazards_and_news_alone(app, make_hazard, make_user, sign_in):
    watcher = make_user(roles=("supervisor",))
    waiting = make_hazard("reported")
    closed = make_hazard("closed")
    assigned = make_hazard("reported")
    act(sign_in(assigned.people.supervisor), assigned.id, "assign", "reported",
        rectifier_id=assigned.people.rectifier.id)
    assert _notices(app, watcher, waiting.id) == [("new_report", True)]
    assert _notices(app, watcher, assigned.id) == [("new_report", False)]
    # A passed recheck is news for the reporter, not work: it stays unread until they read it.
    assert ("recheck_passed", True) in _notices(app, closed.people.reporter, closed.id)


def test_an_answered_deferral_request_stops_counting(app, make_hazard, make_user, sign_in):
    watcher = make_user(roles=("supervisor",))
    hazard = make_hazard("assigned")
    fixer, boss = sign_in(hazard.people.rectifier), sign_in(hazard.people.supervisor)
    day = (school_today() + timedelta(days=20)).isoformat()
    act(fixer, hazard.id, "request_deferral", "assigned", note="缺配件", deadline=day)
    assert ("deferral_requested", True) in _notices(app, watcher, hazard.id)
    act(boss, hazard.id, "approve_deferral", "assigned")
    assert ("deferral_requested", False) in _notices(app, watcher, hazard.id)
    assert _inbox(sign_in(watcher))["unread"] == 0


def test_overdue_and_due_notices_stop_counting_once_submitted(app, make_hazard, make_user, runner, sign_in):
    supervisor = make_user(roles=("supervisor",))
    late = make_hazard("assigned", supervisor=supervisor, now=utcnow() - timedelta(days=30))
    assert runner.invoke(args=["sweep-deadlines"]).exit_code == 0
    rectifier = late.people.rectifier
    assert ("overdue", True) in _notices(app, rectifier, late.id)
    assert ("overdue", True) in _notices(app, supervisor, late.id)
    act(sign_in(rectifier), late.id, "submit", "assigned", photos=[photo_bytes()])
    assert _notices(app, rectifier, late.id) == [("assigned", False), ("overdue", False)]
    assert ("overdue", False) in _notices(app, supervisor, late.id)
    assert runner.invoke(args=["sweep-deadlines"]).exit_code == 0  # a later sweep does not bring it back
    assert count(app, Notification, Notification.hazard_id == late.id, Notification.kind == "overdue",
                 Notification.read_at.is_(None)) == 0


def test_the_migrated_schema_takes_the_new_kind(tmp_path):
    from flask_migrate import upgrade

    from server import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite'}"})
    with app.app_context():
        upgrade()
        sql = db.session.execute(db.text(
            "SELECT sql FROM sqlite_master WHERE name = 'notifications'")).scalar()
    assert "'new_report'" in sql and "'deferral_decided'" in sql
