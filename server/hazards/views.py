"""Desk pages of the hazard loop: the list, the queue of new reports, a hazard with its timeline, deferral
approvals, rechecks, notifications. Thin: every change goes through services.perform (the state machine)."""

import uuid
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from server.auth.models import RECTIFIER, SUPERVISOR
from server.auth.permissions import require_role
from server.auth.services import users_with_role
from server.database import utcnow
from server.errors import ServiceError, ValidationFailed
from server.extensions import db
from server.hazards import access, categories, services, states
from server.notifications import services as notifications
from server.zones import services as zones

bp = Blueprint("hazards", __name__)


@bp.before_request
def _signed_in():
    require_role()


@bp.context_processor
def _helpers():
    cache = {}

    def rectifiers_for_queue():
        if "r" not in cache:
            cache["r"] = users_with_role(RECTIFIER)
        return cache["r"]

    def first_photo(hazard):
        return next((p for p in services.photos_of(hazard) if p.kind == "before"), None)

    return {"labels_state": lambda s: services.STATE_LABELS[s],
            "labels_severity": lambda s: services.SEVERITY_LABELS[s],
            "rectifiers_for_queue": rectifiers_for_queue, "first_photo": first_photo}


def _list_page(title, *, template="hazards/list.html", **filters):
    hazards, total = services.list_hazards(current_user, limit=200, **filters)
    return render_template(template, title=title, hazards=hazards, total=total, now=utcnow(),
                           page_forms=_forms_for(hazards))


def _forms_for(hazards):
    # One client id per rendered form: a double-submitted form is a repeat, not a second action.
    return {h.id: {"client_id": uuid.uuid4().hex, "rectifier": services.default_rectifier(h),
                   "deadline": services.local_date(services.default_deadline(h.category, h.severity))}
            for h in hazards}


@bp.get("/hazards")
def index():
    """List the hazards the user may see, overdue first, with filters and counts."""
    state = [s for s in request.args.getlist("state") if s]
    overdue = True if request.args.get("overdue") else None
    zone_id = request.args.get("zone", type=int)
    hazards, total = services.list_hazards(current_user, state=state or None, overdue=overdue,
                                           zone_id=zone_id, limit=200)
    q = request.args.get("q", "").strip()
    if q:
        hazards = [h for h in hazards if q in h.description or q in h.zone.name or q in h.zone.code]
    return render_template("hazards/list.html", title=_("Hazards"), hazards=hazards, total=total,
                           now=utcnow(), page_forms={}, counts=_counts(), filters=True,
                           zones=zones.list_zones(include_inactive=True), states=states.STATES,
                           state_labels=services.STATE_LABELS, chosen_states=state, q=q, zone_id=zone_id,
                           overdue=overdue)


def _counts():
    def count(**filters):
        return services.list_hazards(current_user, limit=1, **filters)[1]

    return {
        "reported": count(state=states.REPORTED),
        "assigned": count(state=states.ASSIGNED),
        "overdue": count(overdue=True),
        "awaiting_recheck": count(state=states.AWAITING_RECHECK),
        "deferrals": count(deferral_pending=True, state=states.ASSIGNED),
    }


@bp.get("/hazards/queue")
def queue():
    """Show the new reports, each with an assign form (defaults filled) and an invalidate form."""
    require_role(SUPERVISOR)
    return _list_page(_("New reports"), template="hazards/queue.html", state=states.REPORTED)


@bp.get("/hazards/deferrals")
def deferrals():
    """Show the deferral requests waiting for a decision."""
    require_role(SUPERVISOR)
    return _list_page(_("Deferral requests"), template="hazards/queue.html", deferral_pending=True,
                      state=states.ASSIGNED)


@bp.get("/hazards/rechecks")
def rechecks():
    """Show the hazards awaiting recheck."""
    require_role(SUPERVISOR)
    return _list_page(_("Awaiting recheck"), state=states.AWAITING_RECHECK)


def _detail(hazard, status=200, error=None):
    photos = services.photos_of(hazard)
    rectifiers = users_with_role(RECTIFIER)
    default_deadline = services.local_date(services.default_deadline(hazard.category, hazard.severity))
    return render_template(
        "hazards/detail.html", hazard=hazard, photos=photos, events=services.timeline(hazard),
        allowed=services.allowed_actions(current_user, hazard), rectifiers=rectifiers,
        default_rectifier=services.default_rectifier(hazard), default_deadline=default_deadline,
        client_id=uuid.uuid4().hex, error=error, now=utcnow(), labels=services.ACTION_LABELS,
        kind_labels=services.PHOTO_KIND_LABELS, categories=categories,
    ), status


@bp.get("/hazards/<int:hazard_id>")
def detail(hazard_id):
    """Show one hazard: facts, before/after photos side by side, the timeline, the allowed actions."""
    return _detail(access.get_hazard_for(current_user, hazard_id))


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("The deadline must be a date (YYYY-MM-DD)."),
                               details={"deadline": "invalid"}) from None


@bp.post("/hazards/<int:hazard_id>/act")
def act(hazard_id):
    """Take an action from a desk form; a refusal shows on the page with its status (403/409/422)."""
    form = request.form
    try:
        command = services.Command(
            action=form.get("action", ""), client_id=form.get("client_id", ""),
            seen_state=form.get("seen_state") or None, note=form.get("note", "").strip(),
            deadline=_date(form.get("deadline")), rectifier_id=form.get("rectifier_id", type=int),
            photos=[f.read() for f in request.files.getlist("photos") if f.filename],
        )
        outcome = services.perform(current_user._get_current_object(), hazard_id, command)
    except ServiceError as exc:
        db.session.rollback()
        hazard = access.get_hazard_for(current_user, hazard_id)
        return _detail(hazard, status=exc.status, error=str(exc.message))
    flash(_("Done: %(action)s.", action=services.ACTION_LABELS[outcome.event.action]), "success")
    target = request.form.get("next")
    if target and target.startswith("/hazards") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("hazards.detail", hazard_id=hazard_id))


@bp.get("/notifications")
def notification_list():
    """List the user's notifications, newest first."""
    items = notifications.list_for(current_user, limit=100)
    return render_template("hazards/notifications.html", items=items, message=notifications.message)


@bp.post("/notifications/read")
def notifications_read():
    """Mark all the user's notifications read."""
    notifications.mark_read(current_user._get_current_object())
    db.session.commit()
    return redirect(url_for("hazards.notification_list"))
