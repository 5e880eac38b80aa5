"""SQLite's write lock is held by the transaction that writes a phone's record, not by the answer built after.

Every transaction of a state-changing request began with BEGIN IMMEDIATE, the answer's reads too: with 50
phones sending at once, each held the lock a third longer than its write needed and the last waited past the
15 s busy timeout ("database is locked", bench/crash.py's warm-up on a loaded machine).
"""

import pytest
from sqlalchemy import event

from server.extensions import db
from server.patrols.models import NO_HAZARD
from tests.conftest import ON_POSTGRES, new_client_id
from tests.hazards.apihelp import act, category_id, report

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's locking: PostgreSQL locks rows")
WRITES = ("INSERT", "UPDATE", "DELETE")


def _transactions(app, send) -> tuple[object, list[tuple[str, bool]]]:
    """Send a request; return its answer and, per transaction, how it began and whether it wrote."""
    seen: list[list] = []

    def statement(conn, cursor, sql, *args):
        words = sql.lstrip().split(None, 2)
        if words[0].upper() == "BEGIN":
            seen.append([" ".join(words[:2]).upper(), False])
        elif seen and words[0].upper() in WRITES:
            seen[-1][1] = True

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", statement)
    try:
        answer = send()
    finally:
        event.remove(engine, "before_cursor_execute", statement)
    return answer, [(begun, wrote) for begun, wrote in seen]


def _report(app, login_as, make_zone, make_hazard):
    patrol, zone = login_as("patrol"), make_zone()
    return lambda: report(patrol, zone.id, category_id(app))


def _visit(app, login_as, make_zone, make_hazard):
    patrol, zone = login_as("patrol"), make_zone()
    body = {"client_id": new_client_id(), "zone_id": zone.id, "result": NO_HAZARD,
            "device_at": "2030-01-01T00:00:00Z"}
    return lambda: patrol.post("/api/v1/visits", json=body)


def _assign(app, login_as, make_zone, make_hazard):
    hazard = make_hazard("reported")
    supervisor = login_as("supervisor")
    return lambda: act(supervisor, hazard.id, "assign", "reported", rectifier_id=hazard.people.rectifier.id)


@pytest.mark.parametrize(("request_of", "status"), [
    (_report, 201),  # multipart with a photo: the checks, the photo outside any transaction, the write
    (_visit, 201),
    (_assign, 201),
])
def test_a_record_holds_the_write_lock_only_while_it_writes(app, login_as, make_zone, make_hazard, request_of,
                                                            status):
    answer, transactions = _transactions(app, request_of(app, login_as, make_zone, make_hazard))
    assert answer.status_code == status, answer.get_json()
    last_write = max(i for i, (_, wrote) in enumerate(transactions) if wrote)
    assert [begun for begun, wrote in transactions if wrote] == ["BEGIN IMMEDIATE"]
    assert transactions[last_write][0] == "BEGIN IMMEDIATE"
    # The answer: read after the commit, in transactions that take no lock.
    assert transactions[last_write + 1:] and {t for t in transactions[last_write + 1:]} == {("BEGIN", False)}


def test_a_second_record_in_one_request_takes_the_write_lock_again(app, make_zone, make_user):
    from server.auth.models import User
    from server.patrols import services as visits

    patrol, zone = make_user(roles=("patrol",)), make_zone()

    def two_visits():
        with app.test_request_context("/api/v1/visits", method="POST"):
            for _ in range(2):
                visits.record_visit(db.session.get(User, patrol.id), visits.Visit(
                    client_id=new_client_id(), zone_id=zone.id))
            return "done"

    _, transactions = _transactions(app, two_visits)
    assert [begun for begun, wrote in transactions if wrote] == ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE"]
