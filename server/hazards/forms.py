"""Read the desk's hazard forms into what the services take. Parsing only: no rules here.

The pages are plain HTML forms (one per hazard card and per action, made when the page renders), so they are
read from request.form rather than declared as WTForms classes; CSRFProtect still checks every POST.
"""

from datetime import date

from flask_babel import lazy_gettext as _l

from server.converters import db_int
from server.errors import ValidationFailed
from server.hazards import services, states

# Why a report is invalidated (the service takes a free-text reason; the kind starts it).
INVALID_KINDS = {
    "duplicate": _l("Duplicate report"),
    "not_hazard": _l("Not a hazard"),
    "not_ours": _l("Not ours to fix"),
}

def _date(value: str | None, name: str = "deadline") -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_l("The deadline must be a date (YYYY-MM-DD)."),
                               details={name: "invalid"}) from None


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
        interim_kind=form.get("interim_kind") or None,
        measures=form.get("measures", ""),
        funding=form.get("funding", ""),
        responsible=form.get("responsible", ""),
        time_limit=_date(form.get("time_limit"), "time_limit"),
        emergency_measures=form.get("emergency_measures", ""),
    )
