"""The school's calendar: its time zone, its days and months. Below every domain (STYLE.md, habit 12).

The database keeps UTC; a school thinks in its own days ("due Friday", "closed this month"), so every day
boundary is computed here, in the time zone of BABEL_DEFAULT_TIMEZONE (Asia/Shanghai by default).
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app

from server.database import utcnow


def school_tz() -> ZoneInfo:
    """Return the school's time zone."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_date(moment: datetime) -> date:
    """Return the calendar day of an aware time in the school's time zone."""
    return moment.astimezone(school_tz()).date()


def today(now: datetime | None = None) -> date:
    """Return the school's calendar day now (or at `now`)."""
    return local_date(now or utcnow())


def start_of_day(day: date) -> datetime:
    """Return the first moment of `day` in the school's time zone, in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=school_tz()).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """Return the last second of `day` in the school's time zone, in UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=school_tz()).astimezone(UTC)


def month_start(now: datetime | None = None) -> datetime:
    """Return the first moment of the current month in the school's time zone, in UTC."""
    return start_of_day(today(now).replace(day=1))
