"""The database guards the rules too: CHECK constraints tie columns to the state; history is append-only."""

import pytest
from sqlalchemy.exc import IntegrityError

from server.extensions import db
from server.hazards.models import Hazard, HazardEvent, HistoryIsAppendOnly, Photo


def test_history_cannot_be_edited_or_deleted(app, make_hazard):
    hazard = make_hazard("awaiting_recheck")
    with app.app_context():
        row = db.session.get(Hazard, hazard.id)
        assert [e.action for e in row.events] == ["report", "assign", "submit"]
        assert [p.kind for p in row.photos] == ["before", "after"]
        row.events[0].note = "改写历史"
        with pytest.raises(HistoryIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(db.select(Photo)).first())
        with pytest.raises(HistoryIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(db.select(HazardEvent)).first())
        with pytest.raises(HistoryIsAppendOnly):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize(("changes", "constraint"), [
    ({"state": "assigned", "rectifier_id": None}, "assigned_has_rectifier_and_deadline"),
    ({"state": "closed"}, "closed_at_iff_finished"),
    ({"fixed": True}, "fixed_only_when_closed"),
    ({"state": "lost"}, "state_known"),
    ({"severity": "tiny"}, "severity_known"),
])
def test_check_constraints_refuse_inconsistent_rows(app, make_hazard, changes, constraint):
    hazard = make_hazard("reported")
    with app.app_context():
        row = db.session.get(Hazard, hazard.id)
        for key, value in changes.items():
            setattr(row, key, value)
        with pytest.raises(IntegrityError, match=constraint):
            db.session.flush()
        db.session.rollback()
