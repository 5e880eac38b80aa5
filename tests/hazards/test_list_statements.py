"""Lists ask the database as often for many rows as for few (issue 12: per-row work done once per request, no
lazy load per row): each page is fetched with one set of hazards, then again with twice as many more, each
with its own reporter, rectifier and zone (every person and zone new), and the statements are counted."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from server.extensions import db
from tests.conftest import new_client_id

# Who asks for what; the supervisor is also a rectifier, so that /me/tasks has tasks of both kinds.
PAGES = [
    ("supervisor", "/hazards"),
    ("supervisor", "/hazards/queue"),
    ("supervisor", "/hazards/rechecks"),
    ("supervisor", "/hazards/deferrals"),
    ("supervisor", "/api/v1/me/tasks"),
    ("supervisor", "/api/v1/hazards"),
    ("supervisor", "/notifications"),
    ("supervisor", "/api/v1/notifications"),
    ("patrol", "/api/v1/me/today"),
    ("patrol", "/api/v1/zones"),
]
# One set: a new report, one being rectified by the signed-in supervisor (a deferral asked and approved: its
# notice's text reads the decision), one awaiting a recheck, one closed.
STATES = ("reported", "assigned", "awaiting_recheck", "closed")


def _statements(app, client, path: str) -> int:
    """Fetch `path` and return how many SQL statements the request ran."""
    ran = []

    def count(*_):
        ran.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.get_data(as_text=True)
    return len(ran)


@pytest.mark.parametrize(("who", "path"), PAGES)
def test_a_list_asks_as_often_for_many_rows_as_for_few(app, make_user, make_zone, make_hazard, sign_in, who,
                                                        path):
    supervisor = make_user(roles=("supervisor", "rectifier"))
    patrol = make_user(roles=("patrol",))
    clients = {"supervisor": sign_in(supervisor), "patrol": sign_in(patrol)}

    def defer(hazard):
        from server.auth.models import User
        from server.database import utcnow
        from server.hazards import services, states
        from server.schooltime import local_date

        with app.app_context():
            later = local_date(utcnow() + timedelta(days=30))
            for person, action in ((supervisor, states.REQUEST_DEFERRAL), (hazard.people.supervisor,
                                                                            states.APPROVE_DEFERRAL)):
                services.perform(db.session.get(User, person.id), hazard.id, services.Command(
                    action=action, client_id=new_client_id(), deadline=later, note="等配件"))

    def add_set():
        make_zone(responsible=make_user(roles=("rectifier",)))  # a zone due on the round, with its own person
        for state in STATES:
            hazard = make_hazard(state, rectifier=supervisor if state == "assigned" else None)
            if state == "assigned":
                defer(hazard)

    add_set()
    few = _statements(app, clients[who], path)
    add_set()
    add_set()
    assert _statements(app, clients[who], path) == few
