"""The escalation ladder of the daily pass: due tomorrow reminds the rectifier once; overdue tells the
rectifier and the supervisors once a school day; overdue past ESCALATE_AFTER_DAYS flags the hazard 督办, once,
with its group-chat alerts queued once, however often the pass runs that day."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.database import utcnow
from server.extensions import db
from server.hazards.models import Hazard
from server.notifications import services
from server.notifications.models import Notification
from server.webhooks.models import WebhookDelivery


def _notices(app):
    with app.app_context():
        query = select(Notification.kind, Notification.hazard_id, Notification.user_id).where(
            Notification.kind.in_(["due_tomorrow", "overdue"]))
        return sorted(db.session.execute(query).all())


def _outbox(app):
    with app.app_context():
        return sorted(db.session.execute(select(WebhookDelivery.event, func.count())
                                         .group_by(WebhookDelivery.event)).all())


def _supervised(app):
    with app.app_context():
        return set(db.session.scalars(select(Hazard.id).where(Hazard.supervised_at.is_not(None))))


def test_two_daily_passes_flag_and_notify_once(app, make_hazard, make_user, runner):
    from server.webhooks import services as webhooks

    with app.app_context():
        webhooks.add_webhook("安全群", "json", "https://bot.example/", ["overdue_summary", "supervised"])
        db.session.commit()
    boss = make_user(roles=("supervisor",))
    late = make_hazard("assigned", supervisor=boss, now=utcnow() - timedelta(days=30))  # 23 days overdue
    recent = make_hazard("assigned", supervisor=boss, now=utcnow() - timedelta(days=9))  # 1 to 2 days overdue
    soon = make_hazard("assigned", supervisor=boss, now=utcnow() - timedelta(days=6))  # due tomorrow

    first = runner.invoke(args=["daily"])
    assert first.exit_code == 0, first.output
    assert ("New notices: 1 due tomorrow, 4 overdue; 1 flagged for supervision (督办); "
            "2 group-chat alerts queued.") in first.output
    expected = sorted([("due_tomorrow", soon.id, soon.people.rectifier.id),
                       ("overdue", late.id, late.people.rectifier.id), ("overdue", late.id, boss.id),
                       ("overdue", recent.id, recent.people.rectifier.id), ("overdue", recent.id, boss.id)])
    assert _notices(app) == expected
    assert _supervised(app) == {late.id}
    assert _outbox(app) == [("overdue_summary", 1), ("supervised", 1)]

    second = runner.invoke(args=["daily"])  # the same school day: nothing twice
    assert second.exit_code == 0, second.output
    assert ("New notices: 0 due tomorrow, 0 overdue; 0 flagged for supervision (督办); "
            "0 group-chat alerts queued.") in second.output
    assert _notices(app) == expected
    assert _supervised(app) == {late.id}
    assert _outbox(app) == [("overdue_summary", 1), ("supervised", 1)]


def test_overdue_told_again_the_next_day(app, make_hazard, make_user):
    boss = make_user(roles=("supervisor",))
    late = make_hazard("assigned", supervisor=boss, now=utcnow() - timedelta(days=30))
    now = utcnow()
    with app.app_context():
        assert services.sweep_deadlines(now) == {"due_tomorrow": 0, "overdue": 2}
        assert services.sweep_deadlines(now + timedelta(hours=1)) == {"due_tomorrow": 0, "overdue": 0}
        assert services.sweep_deadlines(now + timedelta(days=1)) == {"due_tomorrow": 0, "overdue": 2}
        db.session.commit()
    assert [n[:2] for n in _notices(app)] == [("overdue", late.id)] * 4


@pytest.mark.parametrize(("assigned_days_ago", "escalate_after_days", "flagged"), [
    (30, 3, True),
    (11, 3, True),  # deadline at the end of the day four days ago: more than three days overdue
    (10, 3, False),  # deadline at the end of the day three days ago: not yet more than three
    (9, 3, False),
    (9, 1, True),
    (30, 30, False),
    (6, 0, False),  # not overdue at all
])
def test_flagged_past_the_configured_days(app, make_hazard, assigned_days_ago, escalate_after_days, flagged):
    app.config["ESCALATE_AFTER_DAYS"] = escalate_after_days
    hazard = make_hazard("assigned", now=utcnow() - timedelta(days=assigned_days_ago))
    with app.app_context():
        assert services.escalate(utcnow()) == int(flagged)
        db.session.commit()
    assert _supervised(app) == ({hazard.id} if flagged else set())


@pytest.mark.parametrize("state", ["reported", "awaiting_recheck", "closed"])
def test_only_assigned_hazards_are_flagged(app, make_hazard, state):
    make_hazard(state, now=utcnow() - timedelta(days=30))
    with app.app_context():
        assert services.escalate(utcnow()) == 0
