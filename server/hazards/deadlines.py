"""Deadlines of hazards: the default rectification period, a chosen day checked, and days overdue.

A deadline is a day: the end of that day in the school's time zone, stored in UTC (server/schooltime.py).
"""

import math
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from server.database import utcnow
from server.errors import ValidationFailed
from server.hazards import states
from server.hazards.models import Category, Hazard
from server.schooltime import end_of_day, local_date

FURTHEST_DAYS = 730  # a deadline at most two years ahead: further is a typo, not a plan


def period_days(category: Category, severity: str) -> int:
    """Return the default rectification period: the category's, half for major, one day for critical."""
    days = category.default_period_days or int(current_app.config["DEFAULT_RECTIFICATION_DAYS"])
    if severity == states.CRITICAL:
        return 1
    if severity == states.MAJOR:
        return max(1, math.ceil(days / 2))
    return days


def default_deadline(category: Category, severity: str, now: datetime | None = None) -> datetime:
    """Return the default deadline for a hazard assigned at `now`."""
    now = now or utcnow()
    return end_of_day(local_date(now) + timedelta(days=period_days(category, severity)))


def deadline_from(day: date, now: datetime) -> datetime:
    """Return the deadline for a chosen day, refusing a day in the past or more than two years ahead."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValidationFailed(_l("The deadline must be a date (YYYY-MM-DD)."),
                               details={"deadline": "invalid"})
    today = local_date(now)
    if day < today:
        raise ValidationFailed(_l("The deadline cannot be in the past."), details={"deadline": "past"})
    if day > today + timedelta(days=FURTHEST_DAYS):
        raise ValidationFailed(_l("The deadline is too far away (at most two years)."),
                               details={"deadline": "too_far"})
    return end_of_day(day)


def overdue_days(hazard: Hazard, now: datetime | None = None) -> int:
    """Return for how many days (school calendar days) the hazard is overdue; 0 when it is not."""
    now = now or utcnow()
    if not hazard.is_overdue(now):
        return 0
    return max(1, (local_date(now) - local_date(hazard.deadline)).days)
