"""The SQL of "the hazards a user may see": no WHERE for those who see everything (SQLite counts a table
with no WHERE through its smallest index; "WHERE 1 = 1" reads every row), the rule's condition for everyone
else."""

import pytest
from sqlalchemy import select

from server.auth.models import User
from server.extensions import db
from server.hazards import access


@pytest.mark.parametrize(("roles", "where"), [
    (("admin",), None),
    (("supervisor",), None),
    (("supervisor", "rectifier"), None),
    (("patrol",), "hazards.reporter_id = :reporter_id_1"),
    (("rectifier",), "hazards.reporter_id = :reporter_id_1 OR hazards.rectifier_id = :rectifier_id_1"),
])
def test_the_visible_hazards_are_narrowed_only_when_a_rule_narrows_them(app, make_user, roles, where):
    person = make_user(roles=roles)
    with app.app_context():
        query = access.visible_hazards(db.session.get(User, person.id))
        said = query.whereclause
        assert (None if said is None else str(said)) == where
        assert db.session.scalar(select(db.func.count()).select_from(query.subquery())) == 0
