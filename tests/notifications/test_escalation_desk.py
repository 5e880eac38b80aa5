"""Where the 督办 flag shows: a badge on the hazard list and detail while the hazard is open, the leaders'
filter on the list, and the count on the public board."""

import re
from datetime import timedelta

import pytest

from server.database import utcnow
from server.extensions import db
from server.notifications import services

BADGE = re.compile(r'<span class="badge badge-urgent">[^<]*督办[^<]*</span>')


@pytest.fixture
def flagged(app, make_hazard, make_user):
    """Two hazards flagged 督办 (one since closed) and one merely overdue; return them and a supervisor."""
    boss = make_user(roles=("supervisor",))
    open_one = make_hazard("assigned", supervisor=boss, now=utcnow() - timedelta(days=30))
    closed_one = make_hazard("assigned", supervisor=boss, now=utcnow() - timedelta(days=30))
    overdue = make_hazard("assigned", supervisor=boss, now=utcnow() - timedelta(days=9))
    with app.app_context():
        assert services.escalate(utcnow()) == 2
        db.session.commit()
    return open_one, closed_one, overdue, boss


def _close(app, hazard, make_user):
    from server.auth.models import User
    from server.hazards import services as hazards
    from server.hazards import states
    from tests.conftest import new_client_id, photo_bytes

    with app.app_context():
        rectifier = db.session.get(User, hazard.people.rectifier.id)
        supervisor = db.session.get(User, hazard.people.supervisor.id)
        hazards.perform(rectifier, hazard.id, hazards.Command(action=states.SUBMIT, client_id=new_client_id(),
                        seen_state=states.ASSIGNED, note="已整改", photos=[photo_bytes()]))
        hazards.perform(supervisor, hazard.id, hazards.Command(action=states.PASS, client_id=new_client_id(),
                        seen_state=states.AWAITING_RECHECK))


def _listed(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/hazards/(\d+)"', page)}


def test_badge_filter_and_board(app, flagged, make_user, sign_in, client):
    open_one, closed_one, overdue, boss = flagged
    _close(app, closed_one, make_user)
    desk = sign_in(boss)
    assert len(BADGE.findall(desk.get(f"/hazards/{open_one.id}").get_data(as_text=True))) == 1
    assert BADGE.findall(desk.get(f"/hazards/{closed_one.id}").get_data(as_text=True)) == []
    assert BADGE.findall(desk.get(f"/hazards/{overdue.id}").get_data(as_text=True)) == []
    assert len(BADGE.findall(desk.get("/hazards").get_data(as_text=True))) == 1
    assert _listed(desk.get("/hazards?supervised=1").get_data(as_text=True)) == {open_one.id}
    assert _listed(desk.get("/hazards?supervised=0").get_data(as_text=True)) == {closed_one.id, overdue.id}
    board = client.get("/board").get_data(as_text=True)
    assert re.search(r"督办[^<]*</dt><dd>1</dd>", board)
