"""The rules for notifications: made in the same transaction as the event they announce, read by their user
(queries.py reads them).

Event notices (new reports, assigned, submitted, recheck results, deferrals) are added by subscribers.py,
which listens to the hazard domain's `event_recorded` signal. A notice whose work has since been done (a new
report once assigned or invalidated, a task once submitted, a rectification once rechecked) is marked read by
`settle` when that later event is recorded: it stops counting as unread, for everyone it went to, and the list
still shows it (read), so nothing disappears from anyone's history.
Deadline notices come from `sweep_deadlines`, run by `flask sweep-deadlines` from a timer (cron or systemd)
every hour or so, and by the daily pass: the escalation ladder. Due tomorrow: the rectifier is reminded, once
per deadline. Overdue: the rectifier and the supervisors are told once per school day (the day is in the
notice's key), so the hourly sweep and a second daily pass announce nothing twice. Overdue by more than
ESCALATE_AFTER_DAYS: `escalate` flags the hazard 督办 (under supervision, `Hazard.supervised_at`), once; the
flag stays for the hazard's history, and the desk shows it while the hazard is open.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from server.auth.models import SUPERVISOR
from server.auth.services import users_with_role
from server.database import utcnow
from server.errors import ValidationFailed
from server.extensions import db
from server.hazards import states
from server.hazards.models import Hazard
from server.notifications.models import DUE_TOMORROW, OVERDUE, Notification
from server.schooltime import end_of_day, local_date


def notify(recipients, hazard, kind: str, key: str, *, exclude=None) -> int:
    """Add a notice for each recipient (users or ids) once per user, hazard, kind and key; count the new."""
    skip = getattr(exclude, "id", exclude)
    ids = sorted({getattr(r, "id", r) for r in recipients if r is not None} - {skip, None})
    now = utcnow()
    return add_once([{"user_id": uid, "hazard_id": hazard.id, "kind": kind, "key": key, "created_at": now}
                     for uid in ids])


def add_once(rows: list[dict]) -> int:
    """Insert notice rows, leaving out any already there (same user, hazard, kind and key); count the new."""
    dialect = db.session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:  # another database: check first (the sweep runs alone)
        have = {(n.user_id, n.hazard_id, n.kind, n.key) for row in rows for n in db.session.scalars(
            select(Notification).where(Notification.hazard_id == row["hazard_id"],
                                       Notification.kind == row["kind"], Notification.key == row["key"]))}
        rows = [r for r in rows if (r["user_id"], r["hazard_id"], r["kind"], r["key"]) not in have]
        db.session.add_all(Notification(**r) for r in rows)
        db.session.flush()
        return len(rows)
    if not rows:
        return 0
    # One statement compiled once, its rows sent in batches (SQLAlchemy's "insertmanyvalues"): the daily pass
    # adds thousands. Counted by what RETURNING gives back: rowcount is not reliable here on every driver.
    table = Notification.__table__
    statement = insert(table).on_conflict_do_nothing(
        index_elements=["user_id", "hazard_id", "kind", "key"]).returning(table.c.id)
    return len(db.session.execute(statement, rows).all())


def sweep_deadlines(now: datetime | None = None) -> dict[str, int]:
    """Announce hazards due tomorrow (to the rectifier) and overdue ones (rectifier and supervisors)."""
    now = now or utcnow()
    today = local_date(now)
    supervisors = [user.id for user in users_with_role(SUPERVISOR)]
    due = select(Hazard.id, Hazard.rectifier_id, Hazard.deadline).where(
        Hazard.state == states.ASSIGNED, Hazard.deadline > end_of_day(today),
        Hazard.deadline <= end_of_day(today + timedelta(days=1)))
    overdue = select(Hazard.id, Hazard.rectifier_id, Hazard.deadline).where(Hazard.overdue_at(now))
    due_rows = [{"user_id": rectifier, "hazard_id": hazard, "kind": DUE_TOMORROW, "key": deadline.isoformat(),
                 "created_at": now} for hazard, rectifier, deadline in db.session.execute(due)]
    overdue_rows = [{"user_id": user, "hazard_id": hazard, "kind": OVERDUE,
                     "key": f"{deadline.isoformat()} {today.isoformat()}", "created_at": now}
                    for hazard, rectifier, deadline in db.session.execute(overdue)
                    for user in sorted({rectifier, *supervisors} - {None})]
    counts = {DUE_TOMORROW: add_once(due_rows), OVERDUE: add_once(overdue_rows)}
    db.session.flush()
    return counts


def escalate(now: datetime | None = None) -> int:
    """Flag 督办 the hazards overdue by more than ESCALATE_AFTER_DAYS and not yet flagged; count them.

    They are flagged at `now` exactly, so `Hazard.supervised_at == now` finds this run's flags afterwards.
    """
    now = now or utcnow()
    limit = now - timedelta(days=current_app.config["ESCALATE_AFTER_DAYS"])
    return db.session.execute(update(Hazard).where(Hazard.overdue_at(limit), Hazard.supervised_at.is_(None))
                              .values(supervised_at=now)).rowcount


def settle(hazard, kinds, *, now: datetime) -> int:
    """Mark read everyone's unread notices of these kinds about the hazard (work done); count them."""
    if not kinds:
        return 0
    return db.session.execute(update(Notification).where(
        Notification.hazard_id == hazard.id, Notification.kind.in_(kinds), Notification.read_at.is_(None))
        .values(read_at=now)).rowcount


def mark_read(user, ids=None, *, now: datetime | None = None) -> int:
    """Mark the user's notifications read (the given ids, or all); return how many changed."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        if not isinstance(ids, list | tuple) or not all(isinstance(i, int) for i in ids):
            raise ValidationFailed(_l("Give the ids of the notifications to mark as read."),
                                   details={"ids": "invalid"})
        query = query.where(Notification.id.in_(ids))
    changed = db.session.execute(query.values(read_at=now or utcnow())).rowcount
    db.session.flush()
    return changed
