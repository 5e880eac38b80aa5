"""The queue's one list of rectifiers: the active holders of the role, by name, in one statement (their roles
were read by a second one, 3.4 ms of the queue at district scale); a person's roles still read right when
asked."""

import pytest
from sqlalchemy import event

from server.auth.models import User
from server.auth.services import users_with_role
from server.extensions import db


@pytest.mark.parametrize(("role", "expected"), [
    ("rectifier", ["rectifier, supervisor", "rectifier"]),
    ("supervisor", ["rectifier, supervisor"]),
])
def test_the_holders_of_a_role_are_read_in_one_statement(app, make_user, role, expected):
    make_user(roles=("rectifier", "supervisor"), display_name="安全员")
    make_user(roles=("rectifier",), display_name="维修工")
    gone = make_user(roles=("rectifier",), display_name="离职")
    make_user(roles=("patrol",), display_name="巡查员")
    ran = []

    def count(_conn, _cursor, statement, *_):
        if statement.startswith("SELECT"):  # not the transaction's BEGIN
            ran.append(statement)

    with app.app_context():
        db.session.get(User, gone.id).active = False
        db.session.commit()
        db.session.expunge_all()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            people = users_with_role(role)
            statements = len(ran)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        said = [", ".join(sorted(p.roles)) for p in people]
    assert (statements, said) == (1, expected)
