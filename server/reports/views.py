"""Desk pages of the figures: the dashboard (the desk home of supervisors and admins) and the scorecards
(考核), printable and exported as .xlsx or CSV. Thin: figures.py counts, charts.py draws, templates show."""

from calendar import monthrange
from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.auth.models import ADMIN, SUPERVISOR
from server.auth.permissions import require_role
from server.database import utcnow
from server.hazards.filters import BadFilter
from server.reports import charts, figures
from server.reports.exports import NUMBER, TEXT, Column, csv_response, xlsx_response
from server.schooltime import today as school_today
from server.web import current_language

bp = Blueprint("reports", __name__)
FORMATS = "any(xlsx, csv)"

# The dashboard's breakdown columns and the scorecards' columns, in the order shown and exported.
BREAKDOWN_COLUMNS = {"found": _l("Found"), "open": _l("Open"), "overdue": _l("Overdue"), "fixed": _l("Fixed")}
# A breakdown's rows on the dashboard, the most found first: a district's 500 zones made it 282 kB; "show
# all" shows one breakdown whole.
DASHBOARD_ROWS = 10
SCORECARD_COLUMNS = {"assigned": _l("Assigned"), "fixed": _l("Fixed"), "on_time": _l("Fixed on time"),
                     "failed": _l("Rechecks failed"), "reopened": _l("Reopened"),
                     "overdue": _l("Overdue now")}
SCORECARD_TITLES = {"rectifier": _l("Rectifiers"), "department": _l("Departments"),
                    "contractor": _l("Contractors")}


def _link(figure) -> str:
    return url_for("hazards.index", **figure.filter.to_args())


@bp.app_context_processor
def _helpers():
    return {"figure_link": _link, "bar_length": charts.bar_length}


def _dashboard_url(name: str, whole: bool) -> str:
    """Return this dashboard's URL (its period kept) showing breakdown `name` whole or its first rows only."""
    args = {key: value for key, value in request.args.items() if key != "all"}
    return url_for("desk.home", **args, **({"all": name} if whole else {}), _anchor=f"h-{name}")


def dashboard_page():
    """Render the dashboard for the period the chooser asks for (?period=, ?from=, ?to=); ?all= names the one
    breakdown shown whole."""
    require_role(SUPERVISOR, ADMIN)
    now = utcnow()
    period = figures.period_from(request.args, school_today(now))
    shown = figures.dashboard(current_user, period, now, current_language())
    bars, bar_width = charts.trend_bars(shown.trend)
    return render_template(
        "reports/dashboard.html", shown=shown, period=period, periods=figures.PERIOD_LABELS,
        columns=BREAKDOWN_COLUMNS, dimensions=figures.DIMENSIONS, trend_bars=bars, bar_width=bar_width,
        chart=charts, first_rows=DASHBOARD_ROWS, whole=request.args.get("all", ""),
        dashboard_url=_dashboard_url)


def scorecard_period(args, today: date) -> figures.Period:
    """Read a scorecard's period: a month (?month=YYYY-MM, default this month) or the term (?period=term)."""
    if (args.get("period") or "").strip() == figures.TERM:
        return figures.period_from(args, today, (figures.TERM,))
    raw = (args.get("month") or "").strip()
    try:
        first = date.fromisoformat(raw + "-01") if raw else today.replace(day=1)
    except ValueError:
        raise BadFilter(_l("Choose the month as YYYY-MM."), details={"month": "invalid"}) from None
    if first > today:
        raise BadFilter(_l("That month has not begun."), details={"month": "future"})
    last = min(today, first.replace(day=monthrange(first.year, first.month)[1]))
    return figures.Period(figures.MONTH, first, last)


def _scorecard(args):
    require_role(SUPERVISOR, ADMIN)
    kind = (args.get("kind") or "rectifier").strip()
    if kind not in figures.SCORECARD_KINDS:
        raise BadFilter(_l("Choose rectifiers, departments or contractors."), details={"kind": "unknown"})
    now = utcnow()
    period = scorecard_period(args, school_today(now))
    return kind, period, figures.scorecard(current_user, kind, period, now, current_language())


@bp.get("/reports/scorecards")
def scorecards():
    """Show the scorecards (考核) of rectifiers, departments or contractors for a month or this term."""
    kind, period, rows = _scorecard(request.args)
    args = {"kind": kind, **({"period": figures.TERM} if period.kind == figures.TERM
                             else {"month": period.first.strftime("%Y-%m")})}
    return render_template("reports/scorecards.html", kind=kind, period=period, rows=rows, args=args,
                           columns=SCORECARD_COLUMNS, kinds=SCORECARD_TITLES)


@bp.get(f"/reports/scorecards.<{FORMATS}:fmt>")
def scorecards_export(fmt):
    """Download the scorecards shown by the same query string, as .xlsx or CSV."""
    kind, period, rows = _scorecard(request.args)
    columns = [Column(str(SCORECARD_TITLES[kind]), 24, TEXT),
               *(Column(str(label), 12, NUMBER) for label in SCORECARD_COLUMNS.values()),
               Column(_("Mean days to fix"), 12, NUMBER)]
    lines = ([row.label, *(row.figures[name].value for name in SCORECARD_COLUMNS), row.mean_days]
             for row in rows)
    name = _("scorecards-%(kind)s-%(first)s-%(last)s", kind=kind, first=period.first.isoformat(),
             last=period.last.isoformat())
    if fmt == "csv":
        return csv_response(columns, lines, f"{name}.csv")
    return xlsx_response(columns, lines, f"{name}.xlsx", sheet_title=str(SCORECARD_TITLES[kind]))
