"""Desk pages of zones, for admins: the list, a zone's form, deactivation and a new QR token.

Under /admin/zones like the other administration pages, but the zone domain's own: forms.py parses, the
rules stay in services.py.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from server.auth import services as user_services
from server.auth.models import ADMIN
from server.auth.permissions import require_role
from server.errors import ServiceError
from server.extensions import db
from server.forms import chosen, page, refusal
from server.hazards.filters import page_number
from server.zones import services as zone_services
from server.zones.forms import AS_PROPOSED, RISK_LABELS, ZoneForm, frequency_text, proposals_text
from server.zones.models import CUSTOM, RISK_FREQUENCY

bp = Blueprint("zones", __name__, url_prefix="/admin")

STATUSES = ("active", "inactive", "all")
ZONES_PAGE = 100  # zones listed a page at a time


@bp.before_request
def _admins_only():
    require_role(ADMIN)


@bp.context_processor
def _helpers():
    return {"frequency_text": frequency_text, "risk_labels": RISK_LABELS, "proposals": proposals_text,
            "label_url": zone_services.label_url}


@bp.get("/zones")
def index():
    """List zones, filtered by building, active/inactive and a text in the code or name."""
    text = request.args.get("q", "").strip()
    building = request.args.get("building", "")
    status = request.args.get("status", "active")
    status = status if status in STATUSES else "active"
    number = page_number(request.args)
    # A page at a time: a district's 500 zones made this page 362 kB.
    zones, total = zone_services.search_zones(text, building or None, status, limit=ZONES_PAGE,
                                              offset=(number - 1) * ZONES_PAGE)
    return render_template("zones/list.html", zones=zones, total=total, page=number, page_size=ZONES_PAGE,
                           buildings=zone_services.buildings(), q=text, building=building, status=status)


def _zone_form(zone=None) -> ZoneForm:
    data = {}
    if zone is not None:
        data = {"code": zone.code, "name": zone.name, "building": zone.building, "floor": zone.floor,
                "department": zone.department, "responsible": zone.responsible_id or 0,
                "key_area": zone.key_area, "risk_level": zone.risk_level,
                # A zone whose frequency is the one its risk level proposes keeps following its level.
                "frequency": AS_PROPOSED if (zone.frequency, zone.frequency_days)
                == RISK_FREQUENCY[zone.risk_level] else zone.frequency,
                "frequency_days": zone.frequency_days if zone.frequency == CUSTOM else None}
    form = ZoneForm(data=data)
    form.set_people(user_services.active_users(), zone.responsible if zone is not None else None)
    return form


def _zone_fields(form: ZoneForm) -> dict:
    return {"code": form.code.data, "name": form.name.data, "building": form.building.data,
            "floor": form.floor.data, "department": form.department.data,
            "responsible": user_services.get_user(form.responsible.data) if form.responsible.data else None,
            "key_area": form.key_area.data, "risk_level": form.risk_level.data,
            "frequency": form.frequency.data or None,
            "frequency_days": form.frequency_days.data}


@bp.route("/zones/new", methods=["GET", "POST"])
def zone_new():
    """Create a zone (it gets a fresh QR token)."""
    form = _zone_form()
    if form.validate_on_submit():
        try:
            zone = zone_services.create_zone(**_zone_fields(form))
        except ServiceError as exc:
            return page("zones/zone_form.html", form, exc.status, zone=None, problems=refusal(exc, form))
        db.session.commit()
        flash(_("Created the zone %(code)s %(name)s.", code=zone.code, name=zone.name), "success")
        return redirect(url_for("zones.zone_edit", zone_id=zone.id))
    return page("zones/zone_form.html", form, zone=None)


@bp.route("/zones/<int:zone_id>", methods=["GET", "POST"])
def zone_edit(zone_id):
    """Change a zone's details."""
    zone = zone_services.get_zone(zone_id)
    form = _zone_form(zone)
    if form.validate_on_submit():
        try:
            zone_services.update_zone(zone, **_zone_fields(form))
        except ServiceError as exc:
            return page("zones/zone_form.html", form, exc.status, zone=zone, problems=refusal(exc, form))
        db.session.commit()
        flash(_("Saved the zone %(code)s.", code=zone.code), "success")
        return redirect(url_for("zones.zone_edit", zone_id=zone.id))
    return page("zones/zone_form.html", form, zone=zone)


@bp.post("/zones/<int:zone_id>/active")
def zone_active(zone_id):
    """Deactivate or reactivate a zone (zones are never deleted)."""
    zone = zone_services.get_zone(zone_id)
    active = chosen("active")
    zone_services.set_active(zone, active)
    db.session.commit()
    if active:
        flash(_("The zone %(code)s is in use again.", code=zone.code), "success")
    else:
        flash(_("The zone %(code)s is deactivated: its label no longer opens it. Its history is kept.",
                code=zone.code), "success")
    return redirect(url_for("zones.zone_edit", zone_id=zone.id))


@bp.route("/zones/<int:zone_id>/reissue", methods=["GET", "POST"])
def zone_reissue(zone_id):
    """Ask for confirmation, then give the zone a new QR token (the old label stops working at once)."""
    zone = zone_services.get_zone(zone_id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template("zones/zone_reissue.html", zone=zone)
    zone_services.reissue_token(zone, by=current_user._get_current_object())
    db.session.commit()
    flash(_("The zone %(code)s has a new QR code. The old label no longer works: print the new label and "
            "post it. New address: %(url)s", code=zone.code, url=zone_services.label_url(zone)), "success")
    return redirect(url_for("zones.zone_edit", zone_id=zone.id))
