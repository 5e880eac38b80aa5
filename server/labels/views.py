"""The printable A4 label sheet, and one zone's label as PNG."""

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup

from server.auth.models import ADMIN, SUPERVISOR
from server.auth.permissions import require_role
from server.labels import render, services
from server.labels.fonts import NoCJKFont
from server.zones import services as zones

bp = Blueprint("labels", __name__, url_prefix="/labels")
SIZES = {"large": 1, "medium": 4, "small": 8}


@bp.before_request
def _desk_only():
    require_role(ADMIN, SUPERVISOR)


@bp.app_context_processor
def _label_helpers():
    # Every page that speaks of labels (this sheet, the desk home) warns with the same words.
    return {"label_url_warning": services.loopback_warning}


@bp.get("/")
def sheet():
    """Choose zones and a label size; show the print-ready A4 sheet."""
    all_zones = zones.list_zones()
    building = request.args.get("building", "")
    shown = [z for z in all_zones if not building or z.building == building]
    chosen_ids = {int(i) for i in request.args.getlist("zone") if i.isdigit()}
    size = request.args.get("size", "medium")
    size = size if size in SIZES else "medium"
    copies = max(1, min(request.args.get("copies", 1, type=int) or 1, 10))
    chosen = [z for z in shown if z.id in chosen_ids] if chosen_ids else shown
    made = [{"zone": z, "url": (url := services.label_url(z)), "svg": _svg(url)} for z in chosen]
    labels = [label for label in made for _ in range(copies)]
    per_page = SIZES[size]
    pages = [labels[i:i + per_page] for i in range(0, len(labels), per_page)]
    buildings = sorted({z.building for z in all_zones if z.building})
    return render_template("labels/sheet.html", zones=shown, chosen_ids=chosen_ids, pages=pages, size=size,
                           sizes=SIZES, copies=copies, label_count=len(labels), building=building,
                           buildings=buildings, instruction=render.INSTRUCTION, title=render.TITLE)


def _svg(url: str) -> Markup:
    # Our own SVG (one path of QR data and the viewBox), made from a URL we built: safe to inline.
    return Markup(render.qr_svg(url))  # noqa: S704


@bp.get("/<int:zone_id>.png")
def zone_png(zone_id):
    """Download one zone's label as a PNG for printing elsewhere."""
    zone = zones.get_zone(zone_id)
    try:
        data = services.label_png(zone)
    except NoCJKFont as exc:
        return render_template("errors/error.html", status=503, message=str(exc)), 503
    return Response(data, mimetype="image/png", headers={
        "Content-Disposition": f'attachment; filename="{zone.code}.png"', "Cache-Control": "no-store"})
