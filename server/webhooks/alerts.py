"""What goes into group chats: a new major or critical hazard, the daily overdue summary, the 督办 flags.

Each alert is written into the outbox in the transaction of what it announces (the report's, or the daily
pass's) and in the school's default language, whoever's request made it. A new major hazard is heard through
the hazard domain's `event_recorded` signal, as the notifications hear it.
"""

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from server.extensions import db
from server.hazards import states
from server.hazards.models import Hazard, HazardEvent
from server.hazards.signals import event_recorded
from server.hazards.wording import SEVERITY_LABELS
from server.notifications.models import URGENT_SEVERITIES
from server.schooltime import local_date
from server.webhooks.models import MAJOR_HAZARD, OVERDUE_SUMMARY, SUPERVISED
from server.webhooks.services import enqueue

LISTED = 20  # hazards a summary names; the rest are counted ("and 12 more")


def _link(hazard: Hazard) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/hazards/{hazard.id}"


def _line(hazard: Hazard, now: datetime) -> str:
    # "#12 锅炉房 · 消防安全 · 5 天逾期 · 张师傅" with the hazard's link.
    days = (local_date(now) - local_date(hazard.deadline)).days if hazard.deadline else 0
    parts = [f"[#{hazard.id}]({_link(hazard)})", hazard.zone.name, hazard.category.name,
             str(_l("%(n)d days overdue", n=days))]
    if hazard.rectifier is not None:
        parts.append(hazard.rectifier.display_name)
    return " · ".join(parts)


def _listing(condition, now: datetime) -> tuple[int, list[str]]:
    # How many hazards meet the condition, and the lines naming the first LISTED (by deadline) and the rest
    # counted: only those few are loaded, whether 10 or 10,000 are overdue.
    total = db.session.scalar(select(func.count()).select_from(Hazard).where(condition))
    first = db.session.scalars(select(Hazard).where(condition).order_by(Hazard.deadline, Hazard.id)
                               .limit(LISTED))
    lines = [_line(h, now) for h in first]
    if total > LISTED:
        lines.append(str(_l("and %(n)d more", n=total - LISTED)))
    return total, lines


def _school_language():
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


@event_recorded.connect
def announce_major(hazard: Hazard, *, event: HazardEvent, **_) -> int:
    """Queue the alert of a newly reported major or critical hazard; return how many rows were queued."""
    if event.action != states.REPORT or hazard.severity not in URGENT_SEVERITIES:
        return 0
    with _school_language():
        title = str(_l("%(severity)s hazard #%(number)d in %(zone)s", number=hazard.id, zone=hazard.zone.name,
                       severity=SEVERITY_LABELS[hazard.severity]))
        lines = [hazard.category.name, hazard.description[:200], _link(hazard)]
        if hazard.fixed_on_the_spot:
            lines.insert(0, str(_l("Fixed on the spot; awaiting a recheck.")))
    return enqueue(MAJOR_HAZARD, f"hazard:{hazard.id}", title, lines, now=event.at)


def queue_overdue_summary(now: datetime) -> int:
    """Queue the day's summary of overdue hazards (once per school day; none when nothing is overdue)."""
    with _school_language():
        total, lines = _listing(Hazard.overdue_at(now), now)
        title = str(_l("%(n)d hazards overdue at %(school)s", n=total,
                       school=current_app.config["SCHOOL_NAME"]))
    return enqueue(OVERDUE_SUMMARY, local_date(now).isoformat(), title, lines, now=now) if total else 0


def queue_supervised(now: datetime) -> int:
    """Queue one alert naming the hazards flagged 督办 at `now` (by `escalate`); none when none were."""
    with _school_language():
        total, lines = _listing(Hazard.supervised_at == now, now)
        title = str(_l("%(n)d hazards now under supervision (督办)", n=total))
    return enqueue(SUPERVISED, now.isoformat(), title, lines, now=now) if total else 0
