"""Desk pages of patrols, for supervisors and admins: coverage (today, this week, this month) with its
export, the campus risk view, and a zone's patrol history. Thin: coverage.py and campus.py read."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from server.admin.forms import ROLE_LABELS
from server.auth.models import ADMIN, SUPERVISOR
from server.auth.permissions import require_role
from server.database import utcnow
from server.hazards import views as hazard_views
from server.patrols import campus, coverage
from server.reports.exports import DATETIME, NUMBER, TEXT, Column, csv_response, xlsx_response
from server.schooltime import today as school_today
from server.zones import services as zone_services
from server.zones.forms import RISK_LABELS, frequency_text

bp = Blueprint("patrols", __name__, url_prefix="/patrols")
FORMATS = "any(xlsx, csv)"


@bp.before_request
def _supervisors_only():
    require_role(SUPERVISOR, ADMIN)


@bp.context_processor
def _helpers():
    return {"risk_labels": RISK_LABELS, "frequency_text": frequency_text,
            "status_labels": coverage.STATUS_LABELS, "windows": coverage.WINDOW_LABELS,
            "role_labels": ROLE_LABELS, "cadence_periods": coverage.CADENCE_PERIODS,
            "hazard_link": lambda f: url_for("hazards.index", **f.to_args())}


def _window() -> coverage.Window:
    return coverage.window((request.args.get("period") or coverage.TODAY).strip(), school_today(utcnow()))


@bp.get("/coverage")
def coverage_page():
    """Show the zones patrolled on time out of those due, per building, floor, department and person."""
    shown = coverage.coverage(_window())
    return render_template("patrols/coverage.html", shown=shown, dimensions=coverage.DIMENSIONS,
                           cadence=coverage.cadence(shown.window.last))


@bp.get(f"/coverage.<{FORMATS}:fmt>")
def coverage_export(fmt):
    """Download the window's due zones (status, days late, visits, last visit) as .xlsx or CSV."""
    win = _window()
    columns = [Column(_("Code"), 14, TEXT), Column(_("Zone name"), 24, TEXT), Column(_("Building"), 14, TEXT),
               Column(_("Floor"), 8, TEXT), Column(_("Department"), 14, TEXT),
               Column(_("Responsible person"), 12, TEXT), Column(_("Risk level"), 10, TEXT),
               Column(_("Patrol frequency"), 12, TEXT), Column(_("Key area"), 8, TEXT),
               Column(_("Status"), 10, TEXT), Column(_("Days late"), 8, NUMBER),
               Column(_("Visits"), 8, NUMBER), Column(_("Last visit"), 18, DATETIME)]
    due = sorted((z for z in coverage.zone_coverage(win) if z.status is not None), key=coverage.missed_order)
    lines = ([z.zone.code, z.zone.name, z.zone.building, z.zone.floor, z.zone.department,
              z.zone.responsible.display_name if z.zone.responsible else "",
              str(RISK_LABELS[z.zone.risk_level]),
              frequency_text(z.zone.frequency, z.zone.frequency_days), _("Yes") if z.zone.key_area else "",
              str(coverage.STATUS_LABELS[z.status]), z.late_days, z.visits, z.last_visit] for z in due)
    name = _("patrol-coverage-%(first)s-%(last)s", first=win.first.isoformat(), last=win.last.isoformat())
    if fmt == "csv":
        return csv_response(columns, lines, f"{name}.csv")
    return xlsx_response(columns, lines, f"{name}.xlsx", sheet_title=_("Patrol coverage"))


@bp.get("/risk")
def risk_page():
    """Show the campus: buildings and floors as a grid of zones in their risk colours, their open hazards."""
    return render_template("patrols/risk.html", buildings=campus.campus(utcnow()))


@bp.get("/zones/<int:zone_id>")
def zone_history(zone_id):
    """Show a zone's patrol history: who, when, on site by scan or not, the hazards found in each visit."""
    zone = zone_services.get_zone(zone_id)
    return render_template("patrols/zone_history.html", zone=zone, visits=coverage.history(zone),
                           limit=coverage.HISTORY_MAX, **hazard_views.zone_panel(current_user, zone.id))
