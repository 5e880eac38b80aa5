"""Desk routes of the ledger: the exports (台账, 销号登记表) and the printed documents (一患一档, 整改通知书).

Only supervisors and admins export or print (403 for anyone else, as every desk page of theirs answers);
every hazard still goes through access.py, so a hazard nobody may see answers 404.
"""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from server.auth.models import ADMIN, SUPERVISOR
from server.auth.permissions import require_role
from server.converters import db_int
from server.database import utcnow
from server.errors import NotFound, ValidationFailed
from server.hazards import access, queries, states, wording
from server.hazards.filters import HazardFilter
from server.hazards.views import compare
from server.ledger import services
from server.ledger.queries import assignment_notes, ledger_entries, year_bounds
from server.ledger.sheets import STATUS_LABELS, ledger_columns, ledger_rows, zone_place
from server.reports.exports import csv_response, xlsx_response
from server.schooltime import local_date
from server.web import current_language

bp = Blueprint("ledger", __name__)
FORMATS = "any(xlsx, csv)"
# Years a register can be asked for: the app did not exist before, and a typo far ahead names nothing.
FIRST_YEAR, LAST_YEAR = 2000, 2999


@bp.before_request
def _supervisors_and_admins():
    require_role(SUPERVISOR, ADMIN)


@bp.context_processor
def _words():
    return {"severity_labels": wording.SEVERITY_LABELS, "action_labels": wording.ACTION_LABELS,
            "interim_labels": wording.INTERIM_KIND_LABELS}


def _export(hazard_filter: HazardFilter, fmt: str, name: str, title: str):
    """Answer the ledger of the hazards the filter names as a download, .xlsx or CSV."""
    now = utcnow()
    rows = ledger_rows(ledger_entries(current_user, hazard_filter, now), now, current_language())
    if fmt == "csv":
        return csv_response(ledger_columns(), rows, f"{name}.csv")
    return xlsx_response(ledger_columns(), rows, f"{name}.xlsx", sheet_title=title)


@bp.get(f"/hazards/ledger.<{FORMATS}:fmt>")
def export(fmt):
    """Download the hazard ledger (隐患台账) of the hazards the list's filters name."""
    day = local_date(utcnow()).isoformat()
    return _export(HazardFilter.from_args(request.args), fmt, _("hazard-ledger-%(day)s", day=day),
                   _("Hazard ledger"))


@bp.get(f"/hazards/register.<{FORMATS}:fmt>")
def register(fmt):
    """Download a year's register of closed hazards (隐患整改销号登记表); this year by default."""
    year = _year(request.args.get("year"))
    first, last = year_bounds(year)
    closed = HazardFilter(states=(states.CLOSED,), closed_from=first, closed_to=last)
    return _export(closed, fmt, _("closed-hazards-register-%(year)d", year=year),
                   _("Closed hazards register"))


def _year(raw: str | None) -> int:
    """Return the year asked for (this school year when none), refusing one the register cannot hold."""
    if not raw:
        return local_date(utcnow()).year
    try:
        year = db_int(raw)
    except ValueError:
        year = None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(_("Choose a year from %(first)d to %(last)d.", first=FIRST_YEAR,
                                 last=LAST_YEAR), details={"year": "invalid"})
    return year


@bp.get("/hazards/<int:hazard_id>/file")
def hazard_file(hazard_id):
    """Show one hazard's whole file for printing (一患一档): facts, photos, every event, signature lines."""
    hazard = access.get_hazard_for(current_user, hazard_id)
    before, after = compare(queries.photos_of(hazard))
    notice = services.notices_of([hazard.id]).get(hazard.id)
    return render_template("ledger/file.html", hazard=hazard, before=before, after=after,
                           events=queries.timeline(hazard), notice=notice, plans=queries.plans_of(hazard),
                           place=zone_place(hazard.zone), status=STATUS_LABELS[hazard.state], now=utcnow())


@bp.post("/hazards/notices")
def issue_notices():
    """Number the rectification notices of the chosen hazards (once each), then show them to print."""
    ids = _hazard_ids(request.form.getlist("hazard"))
    notices = services.issue_notices(current_user, ids)
    return redirect(url_for("ledger.notices", hazard=[n.hazard_id for n in notices]), 303)


@bp.get("/hazards/notices")
def notices():
    """Show the rectification notices of the chosen hazards, one A4 page each with its tear-off receipt."""
    ids = sorted(dict.fromkeys(_hazard_ids(request.args.getlist("hazard"))))
    if len(ids) > services.MOST_AT_ONCE:
        raise ValidationFailed(_("At most %(n)d notices at once.", n=services.MOST_AT_ONCE),
                               details={"hazard": "too_many"})
    hazards = [access.get_hazard_for(current_user, hazard_id) for hazard_id in ids]
    issued = services.notices_of(ids)
    missing = [h.id for h in hazards if h.id not in issued]
    if missing:
        raise NotFound(_("No rectification notice has been issued for hazard #%(id)d.", id=missing[0]))
    notes = assignment_notes(ids)
    standing = _("Eliminate the hazard by the deadline, photograph the result in the field app and submit it "
                 "for recheck.")
    sheets = [{"hazard": h, "notice": issued[h.id], "place": zone_place(h.zone),
               "requirement": notes.get(h.id) or standing} for h in hazards]
    return render_template("ledger/notices.html", sheets=sheets)


def _hazard_ids(values) -> list[int]:
    """Return the hazard ids of a form or query string (?hazard=1&hazard=2 or 1,2), refusing others (422)."""
    ids = []
    for raw in (v for value in values for v in value.split(",") if v.strip()):
        try:
            ids.append(db_int(raw.strip()))
        except ValueError:
            raise ValidationFailed(_("Not a hazard number: %(value)s", value=raw[:20]),
                                   details={"hazard": "invalid"}) from None
    if not ids:
        raise ValidationFailed(_("Choose at least one hazard."), details={"hazard": "missing"})
    return ids
