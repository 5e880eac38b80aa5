"""Read the desk's hazard forms and filters into what the services take. Parsing only: no rules here.

The pages are plain HTML forms (one per hazard card and per action, made when the page renders), so they are
read from request.form rather than declared as WTForms classes; CSRFProtect still checks every POST.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from server import schooltime
from server.converters import db_int
from server.errors import ValidationFailed
from server.hazards import services, states

# Why a report is invalidated (the service takes a free-text reason; the kind starts it).
INVALID_KINDS = {
    "duplicate": _l("Duplicate report"),
    "not_hazard": _l("Not a hazard"),
    "not_ours": _l("Not ours to fix"),
}

# Far past any real list (a page past the last is empty), and its offset stays a database integer.
PAGE_MAX = 1_000_000


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_l("The deadline must be a date (YYYY-MM-DD)."),
                               details={"deadline": "invalid"}) from None


def _day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    # The calendar's first and last days have no start in UTC when the school's zone is hours off it.
    return day if day is None or date.min < day < date.max else None


def _int(value) -> int | None:
    try:
        return db_int(value) if value not in (None, "") else None
    except ValueError:  # not a number, or none the database could hold (no record has that id)
        return None


def note_from(form) -> str:
    """Return the note of an action form; an invalidation's kind goes first (重复上报：…)."""
    note = (form.get("note") or "").strip()
    kind = INVALID_KINDS.get(form.get("invalid_kind") or "")
    if form.get("action") == states.INVALIDATE and kind is not None:
        return f"{kind}：{note}" if note else str(kind)
    return note


def command_from(form, files) -> services.Command:
    """Return the Command a desk action form sends: action, client id, the state shown, fields, photos."""
    return services.Command(
        action=form.get("action", ""),
        client_id=form.get("client_id", ""),
        seen_state=form.get("seen_state") or None,
        note=note_from(form),
        deadline=_date(form.get("deadline")),
        rectifier_id=_int(form.get("rectifier_id")),
        photos=[f.read() for f in files.getlist("photos") if f.filename],
    )


@dataclass
class ListFilters:
    """The hazard list's filters, as the query string gives them."""

    states: list[str] = field(default_factory=list)
    zone_id: int | None = None
    building: str = ""
    category_id: int | None = None
    severity: str = ""
    rectifier_id: int | None = None
    overdue: bool = False
    text: str = ""
    closed_from: date | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "ListFilters":
        """Read the filters from request.args (unreadable numbers are ignored)."""
        return cls(states=[s for s in args.getlist("state") if s], zone_id=_int(args.get("zone")),
                   building=args.get("building", "").strip(), category_id=_int(args.get("category")),
                   severity=args.get("severity", "").strip(), rectifier_id=_int(args.get("rectifier")),
                   overdue=bool(args.get("overdue")), text=args.get("q", "").strip()[:100],
                   closed_from=_day(args.get("closed_from")),
                   page=min(max(1, _int(args.get("page")) or 1), PAGE_MAX))

    def service_filters(self) -> dict:
        """Return the keyword arguments of queries.list_hazards."""
        return {"state": self.states or None, "zone_id": self.zone_id, "building": self.building or None,
                "category_id": self.category_id, "severity": self.severity or None,
                "rectifier_id": self.rectifier_id, "overdue": True if self.overdue else None,
                "text": self.text or None,
                "closed_since": schooltime.start_of_day(self.closed_from) if self.closed_from else None}

    def query(self, **changes) -> dict:
        """Return these filters as query-string arguments (for the pager's links), with some changed."""
        args = {"state": self.states, "zone": self.zone_id, "building": self.building,
                "category": self.category_id, "severity": self.severity, "rectifier": self.rectifier_id,
                "overdue": 1 if self.overdue else None, "q": self.text,
                "closed_from": self.closed_from.isoformat() if self.closed_from else None, "page": self.page}
        args.update(changes)
        return {k: v for k, v in args.items() if v not in (None, "", [])}
