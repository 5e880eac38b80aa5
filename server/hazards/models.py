"""Hazard categories, hazards, their append-only history of events, and their photos."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    event,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.database import UTCDateTime, utcnow
from server.extensions import db
from server.hazards import states
from server.zones.models import Zone


class Category(db.Model):
    """A kind of hazard (校舍安全, 消防安全 …), with an optional default rectification period."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))  # Chinese, as the directive names it
    name_en: Mapped[str] = mapped_column(String(64), default="")
    default_period_days: Mapped[int | None] = mapped_column()
    checklist: Mapped[list] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def display_name(self, locale: str) -> str:
        """Return the name in the given language (Chinese when no English name is set)."""
        if str(locale).startswith("en") and self.name_en:
            return self.name_en
        return self.name


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Hazard(db.Model):
    """A reported hazard (隐患): where, what, how serious, its state, who rectifies it and by when.

    Only server/hazards/services.py and reporting.py assign `state` (and the columns that go with it); the
    CHECK constraints tie the columns to the state so a bug elsewhere cannot leave a half-made record.
    """

    __tablename__ = "hazards"
    __table_args__ = (
        CheckConstraint(f"state IN {_in(states.STATES)}", name="state_known"),
        CheckConstraint(f"severity IN {_in(states.SEVERITIES)}", name="severity_known"),
        CheckConstraint("state <> 'assigned' OR (rectifier_id IS NOT NULL AND deadline IS NOT NULL)",
                        name="assigned_has_rectifier_and_deadline"),
        CheckConstraint("(closed_at IS NOT NULL) = (state IN ('closed', 'invalid'))",
                        name="closed_at_iff_finished"),
        CheckConstraint("NOT fixed OR state = 'closed'", name="fixed_only_when_closed"),
        CheckConstraint("deferral_requested_at IS NULL "
                        "OR (state = 'assigned' AND deferral_deadline IS NOT NULL)",
                        name="deferral_only_when_assigned"),
        Index("ix_hazards_state_deadline", "state", "deadline"),
        # A period's hazards, closings by day, the rechecks oldest first (figures.py, queries.py).
        Index("ix_hazards_device_reported_at", "device_reported_at"),
        Index("ix_hazards_closed_at", "closed_at"),
        Index("ix_hazards_state_updated_at", "state", "updated_at"),
        # The hazard list's counts (closed this month, deferral requests) each by an index count.
        Index("ix_hazards_state_closed_at", "state", "closed_at"),
        # The deferral requests waiting, by deadline: their count and each urgency group's read in this small
        # index (2,130 of 100,000), where SQLite chose (state, deadline) and read 6,910 overdue hazards' rows.
        Index("ix_hazards_deferral_deadline", "state", "deadline",
              sqlite_where=text("deferral_requested_at IS NOT NULL"),
              postgresql_where=text("deferral_requested_at IS NOT NULL")),
        # The rechecks one may make (not one's own work) counted, a rectifier's tasks by deadline.
        Index("ix_hazards_state_rectifier_deadline", "state", "rectifier_id", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_visits.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(20))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The current (or last) rectifier: the assignee while assigned; the reporter when fixed on the spot.
    rectifier_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The end of the chosen day in the school's time zone, stored in UTC.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the daily pass flagged it 督办 (under supervision): overdue by more than ESCALATE_AFTER_DAYS.
    supervised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When its latest rectification plan (五到位) was recorded: whether one is in place, without reading the
    # plans (every list asks, for the buttons it shows); the plans themselves are in hazard_plans.
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # True only when closed by a passed recheck or fixed on the spot; `invalid` never counts as fixed.
    fixed: Mapped[bool] = mapped_column(default=False)
    fixed_on_the_spot: Mapped[bool] = mapped_column(default=False)
    # The pending deferral request (延期说明), if any; its history is in the events.
    deferral_reason: Mapped[str | None] = mapped_column(Text)
    deferral_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deferral_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deferral_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Idempotency (DESIGN.md, Offline sync protocol): the device's id for the report, and its content's hash.
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))

    zone: Mapped[Zone] = relationship(lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id], lazy="joined")
    rectifier: Mapped[User | None] = relationship(foreign_keys=[rectifier_id], lazy="joined")
    deferral_requested_by: Mapped[User | None] = relationship(foreign_keys=[deferral_requested_by_id])
    visit: Mapped["PatrolVisit | None"] = relationship(back_populates="hazards")  # noqa: F821
    events: Mapped[list["HazardEvent"]] = relationship(
        back_populates="hazard", order_by="(HazardEvent.at, HazardEvent.id)", viewonly=True)
    photos: Mapped[list["Photo"]] = relationship(
        back_populates="hazard", order_by="Photo.id", viewonly=True)

    @property
    def is_open(self) -> bool:
        """Say whether the hazard still needs work (reported, assigned or awaiting recheck)."""
        return self.state in states.OPEN_STATES

    @property
    def plan_missing(self) -> bool:
        """Say whether the hazard's severity asks for a rectification plan and none is recorded."""
        return states.plan_missing(self.severity, self.planned_at is not None)

    @property
    def deferral_pending(self) -> bool:
        """Say whether a deferral request waits for a supervisor's decision."""
        return self.deferral_requested_at is not None

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Say whether the hazard is assigned and past its deadline at `now` (default: now)."""
        now = now or utcnow()
        return self.state == states.ASSIGNED and self.deadline is not None and now > self.deadline

    @hybrid_property
    def overdue(self) -> bool:
        """Overdue (逾期) is derived, never stored: assigned and past the deadline."""
        return self.is_overdue()

    @overdue.inplace.expression
    @classmethod
    def _overdue_expression(cls):
        return cls.overdue_at(utcnow())

    @classmethod
    def overdue_at(cls, now: datetime):
        """Return the SQL condition "overdue at `now`" (for filters, counts and sorting)."""
        return and_(cls.state == states.ASSIGNED, cls.deadline < now)

    @classmethod
    def urgency_order(cls, now: datetime | None = None) -> tuple:
        """Return ORDER BY terms: overdue, then open before finished, by deadline (none last), newest."""
        now = now or utcnow()
        still_open = case((cls.state.in_(states.OPEN_STATES), 0), else_=1)
        return (case((cls.overdue_at(now), 0), else_=1), still_open, cls.deadline.asc().nulls_last(),
                cls.received_at.desc(), cls.id.desc())

    def __repr__(self) -> str:
        return f"<Hazard {self.id} {self.state}>"


class HazardEvent(db.Model):
    """One entry of a hazard's append-only history: who did what, when, where, with which note and photos."""

    __tablename__ = "hazard_events"
    __table_args__ = (
        CheckConstraint(f"action IN {_in(states.EVENT_ACTIONS)}", name="action_known"),
        CheckConstraint(f"to_state IN {_in(states.STATES)}", name="to_state_known"),
        CheckConstraint(f"from_state IS NULL OR from_state IN {_in(states.STATES)}", name="from_state_known"),
        CheckConstraint(f"(action = '{states.INTERIM_CONTROL}') = (interim_kind IS NOT NULL) "
                        f"AND (interim_kind IS NULL OR interim_kind IN {_in(states.INTERIM_KINDS)})",
                        name="interim_kind_with_interim_control"),
        # A hazard's last submit or report (on time, the queue's report events) without reading its history.
        Index("ix_hazard_events_hazard_action", "hazard_id", "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))  # None for the report that made the hazard
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # server time
    device_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when it was done, by the device's clock
    note: Mapped[str] = mapped_column(Text, default="")
    # The deadline this event set (assign, approve, fail, reopen) or asked for (request_deferral).
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The rectifier this event assigned (assign, fail, reopen), or who fixed it on the spot (report).
    rectifier_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Done right after scanning this hazard's zone QR label (the scan time is kept).
    on_site: Mapped[bool] = mapped_column(default=False)
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What an interim_control event put in place (states.INTERIM_KINDS); its note says more.
    interim_kind: Mapped[str | None] = mapped_column(String(20))
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    content_hash: Mapped[str | None] = mapped_column(String(64))

    hazard: Mapped[Hazard] = relationship(back_populates="events")
    actor: Mapped[User] = relationship(foreign_keys=[actor_id], lazy="joined")
    rectifier: Mapped[User | None] = relationship(foreign_keys=[rectifier_id], lazy="joined")
    photos: Mapped[list["Photo"]] = relationship(back_populates="event", order_by="Photo.id", viewonly=True)

    def __repr__(self) -> str:
        return f"<HazardEvent {self.hazard_id} {self.action}>"


class HazardPlan(db.Model):
    """One version of a major hazard's rectification plan (整改方案, "five in place": 措施、资金、责任人、
    时限、应急措施), written with its `plan` event and never changed: a correction is a new version.

    The responsible person is a name, not a user: the plan names who answers for the rectification (often a
    school leader or a contractor's manager without an account), while the assignment names who does the work.
    """

    __tablename__ = "hazard_plans"
    __table_args__ = (UniqueConstraint("hazard_id", "version"),
                      CheckConstraint("version > 0", name="version_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("hazard_events.id"), unique=True)
    version: Mapped[int] = mapped_column()
    measures: Mapped[str] = mapped_column(Text)  # 整改措施
    funding: Mapped[str] = mapped_column(String(200))  # 整改资金, as the school writes it
    responsible: Mapped[str] = mapped_column(String(64))  # 责任人
    time_limit: Mapped[date] = mapped_column()  # 整改时限, a day in the school's time zone
    emergency_measures: Mapped[str] = mapped_column(Text)  # 应急措施
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship(lazy="joined")
    event: Mapped[HazardEvent] = relationship()

    def __repr__(self) -> str:
        return f"<HazardPlan {self.hazard_id} v{self.version}>"


BEFORE = "before"
AFTER = "after"
RECHECK = "recheck"
PHOTO_KINDS = (BEFORE, AFTER, RECHECK)


class Photo(db.Model):
    """A photo of a hazard, taken with one of its events; the files live in storage (instance/media)."""

    __tablename__ = "photos"
    __table_args__ = (CheckConstraint(f"kind IN {_in(PHOTO_KINDS)}", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("hazard_events.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255), unique=True)
    thumb_key: Mapped[str] = mapped_column(String(255), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))  # of the bytes as uploaded (the idempotency hash uses it)
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    bytes: Mapped[int] = mapped_column()  # size of the stored JPEG
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    hazard: Mapped[Hazard] = relationship(back_populates="photos")
    event: Mapped[HazardEvent] = relationship(back_populates="photos")

    def __repr__(self) -> str:
        return f"<Photo {self.id} {self.kind}>"


@event.listens_for(HazardEvent, "before_update")
@event.listens_for(HazardEvent, "before_delete")
@event.listens_for(Photo, "before_update")
@event.listens_for(Photo, "before_delete")
@event.listens_for(HazardPlan, "before_update")
@event.listens_for(HazardPlan, "before_delete")
def _history_is_append_only(mapper, connection, target):
    """Refuse to change or delete a written event or photo: corrections are new events (DESIGN.md)."""
    raise HistoryIsAppendOnly(f"{target!r} is part of a hazard's history and cannot be changed or deleted")


class HistoryIsAppendOnly(RuntimeError):
    """A hazard's events and photos are written once; nothing in its history is edited or deleted."""
