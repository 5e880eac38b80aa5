"""Hazard routes of the JSON API: report, list, detail, actions, my tasks, a zone's hazards, photos.

Thin handlers: parse the request, call server/hazards/services.py, answer JSON. Times are ISO 8601 in UTC
("...Z"); deadlines also come as the school's calendar day ("deadline_date"). Creating and acting answer 201
the first time and 200 for a repeat of the same client id, and always echo "client_id": the field app's
outbox lets an item go only when it sees its id come back.
"""

from datetime import UTC, date, datetime

from flask import current_app, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from server import schooltime, sync
from server.api import bp
from server.auth.permissions import role_required
from server.errors import NotFound, ValidationFailed
from server.extensions import db
from server.hazards import access, categories, queries, services, states, wording
from server.hazards.models import BEFORE, Hazard, HazardEvent, Photo
from server.web import current_language
from server.zones.models import Zone

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
LIST_LIMIT = 100
LIST_LIMIT_MAX = 500


# -- Reading the request ------------------------------------------------------------------------------------

def read_payload() -> tuple[dict, dict[str, list[bytes]]]:
    """Return the request's fields and files: a multipart form (with photos), a plain form, or JSON."""
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        files: dict[str, list[bytes]] = {}
        for name in request.files:
            key = name.removesuffix("[]")
            for item in request.files.getlist(name):
                data = item.read()
                if data or item.filename:  # an empty file input sends a nameless empty part
                    files.setdefault(key, []).append(data)
        return request.form.to_dict(), files
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(_l("Send the fields as a JSON object or as a multipart form."),
                               details={"body": "invalid"})
    return data, {}


def text_field(fields: dict, name: str) -> str | None:
    """Return a text field, or None when it is absent."""
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValidationFailed(_l("%(field)s must be text.", field=name), details={name: "invalid"})
    return str(value)


def int_field(fields: dict, name: str) -> int | None:
    """Return an integer field, or None when it is absent or empty."""
    value = fields.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_l("%(field)s must be a number.", field=name),
                               details={name: "invalid"}) from None


def bool_field(fields: dict, name: str) -> bool:
    """Return a yes/no field (absent is no)."""
    value = fields.get(name, False)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValidationFailed(_l("%(field)s must be true or false.", field=name), details={name: "invalid"})


def date_field(fields: dict, name: str) -> date | None:
    """Return a calendar day given as YYYY-MM-DD, or None."""
    value = fields.get(name)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(_l("%(field)s must be a date (YYYY-MM-DD).", field=name),
                               details={name: "invalid"}) from None


def time_field(fields: dict, name: str) -> datetime | None:
    """Return an ISO 8601 time with its offset, or None."""
    return sync.parse_time(fields.get(name), name)


def _or(value, default):
    return default if value is None else value


def flag_arg(name: str) -> bool | None:
    """Return a yes/no query argument, or None when it is absent."""
    if name not in request.args:
        return None
    return bool_field(request.args, name)


# -- Writing the answer -------------------------------------------------------------------------------------

def iso(value: datetime | None) -> str | None:
    """Return an aware time as ISO 8601 in UTC, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def person_json(user) -> dict | None:
    """Return a person as the app shows them."""
    if user is None:
        return None
    return {"id": user.id, "name": user.display_name, "department": user.department}


def photo_json(photo: Photo) -> dict:
    """Return a photo's description with its (authorised) URLs."""
    return {
        "id": photo.id,
        "kind": photo.kind,
        "kind_label": str(wording.PHOTO_KIND_LABELS[photo.kind]),
        "event_id": photo.event_id,
        "url": url_for("api.photo", photo_id=photo.id),
        "thumb_url": url_for("api.photo_thumb", photo_id=photo.id),
        "width": photo.width,
        "height": photo.height,
        "created_at": iso(photo.created_at),
    }


def _deadline_date(value: datetime | None) -> str | None:
    return schooltime.local_date(value).isoformat() if value else None


def event_json(event: HazardEvent, photos: list[Photo]) -> dict:
    """Return one entry of a hazard's timeline."""
    return {
        "id": event.id,
        "action": event.action,
        "action_label": str(wording.ACTION_LABELS[event.action]),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": person_json(event.actor),
        "at": iso(event.at),
        "device_at": iso(event.device_at),
        "note": event.note,
        "deadline": iso(event.deadline),
        "deadline_date": _deadline_date(event.deadline),
        "rectifier": person_json(event.rectifier),
        "on_site": event.on_site,
        "scanned_at": iso(event.scanned_at),
        "client_id": event.client_id,
        "photos": [photo_json(p) for p in photos if p.event_id == event.id],
    }


def _first_thumbs(hazards: list[Hazard]) -> dict[int, int]:
    """Return, per hazard id, the id of its first before photo (one query for a whole list)."""
    ids = [h.id for h in hazards]
    if not ids:
        return {}
    rows = db.session.execute(select(Photo.hazard_id, func.min(Photo.id))
                              .where(Photo.hazard_id.in_(ids), Photo.kind == BEFORE)
                              .group_by(Photo.hazard_id))
    return {hazard_id: photo_id for hazard_id, photo_id in rows}


def hazard_json(hazard: Hazard, user, *, thumb_id: int | None = None, detail: bool = False) -> dict:
    """Return a hazard as the field app and the desk see it; with its timeline and photos when `detail`."""
    locale = current_language()
    deferral = None
    if hazard.deferral_pending:
        deferral = {"reason": hazard.deferral_reason, "proposed_deadline": iso(hazard.deferral_deadline),
                    "proposed_date": _deadline_date(hazard.deferral_deadline),
                    "requested_at": iso(hazard.deferral_requested_at),
                    "requested_by": person_json(hazard.deferral_requested_by)}
    body = {
        "id": hazard.id,
        "client_id": hazard.client_id,
        "zone": {"id": hazard.zone.id, "code": hazard.zone.code, "name": hazard.zone.name},
        "category": {"id": hazard.category.id, "code": hazard.category.code,
                     "name": hazard.category.display_name(locale)},
        "description": hazard.description,
        "severity": hazard.severity,
        "severity_label": str(wording.SEVERITY_LABELS[hazard.severity]),
        "state": hazard.state,
        "state_label": str(wording.STATE_LABELS[hazard.state]),
        "overdue": hazard.is_overdue(),
        "fixed": hazard.fixed,
        "fixed_on_the_spot": hazard.fixed_on_the_spot,
        "reporter": person_json(hazard.reporter),
        "rectifier": person_json(hazard.rectifier),
        "deadline": iso(hazard.deadline),
        "deadline_date": _deadline_date(hazard.deadline),
        "device_reported_at": iso(hazard.device_reported_at),
        "received_at": iso(hazard.received_at),
        "updated_at": iso(hazard.updated_at),
        "closed_at": iso(hazard.closed_at),
        "deferral": deferral,
        "visit_id": hazard.visit_id,
        "thumb_url": url_for("api.photo_thumb", photo_id=thumb_id) if thumb_id else None,
        "allowed_actions": services.allowed_actions(user, hazard),
    }
    if detail:
        photos = queries.photos_of(hazard)
        first = next((p for p in photos if p.kind == BEFORE), None)
        body["thumb_url"] = url_for("api.photo_thumb", photo_id=first.id) if first else None
        body["photos"] = [photo_json(p) for p in photos]
        body["events"] = [event_json(e, photos) for e in queries.timeline(hazard)]
    return body


def hazards_json(hazards: list[Hazard], user) -> list[dict]:
    """Return a list of hazards (each with its first photo's thumbnail)."""
    thumbs = _first_thumbs(hazards)
    return [hazard_json(h, user, thumb_id=thumbs.get(h.id)) for h in hazards]


def _outcome_response(outcome: services.Outcome, client_id: str):
    hazard = db.session.get(Hazard, outcome.hazard.id)
    photos = queries.photos_of(hazard)
    body = {"client_id": client_id, "created": outcome.created,
            "hazard": hazard_json(hazard, current_user, detail=True),
            "event": event_json(outcome.event, photos)}
    return jsonify(body), 201 if outcome.created else 200


# -- Routes -------------------------------------------------------------------------------------------------

@bp.post("/hazards")
@role_required()
def report_hazard():
    """Report a hazard (multipart: the fields, photos[] and, when fixed on the spot, after_photos[])."""
    fields, files = read_payload()
    new = services.Report(
        client_id=text_field(fields, "client_id"),
        zone_id=int_field(fields, "zone_id"),
        category_id=int_field(fields, "category_id"),
        severity=text_field(fields, "severity") or "",
        description=text_field(fields, "description") or "",
        photos=files.get("photos", []),
        fixed_on_the_spot=bool_field(fields, "fixed_on_the_spot"),
        after_photos=files.get("after_photos", []),
        device_at=time_field(fields, "device_at"),
        scanned_at=time_field(fields, "scanned_at"),
        zone_token=text_field(fields, "zone_token"),
        visit_client_id=text_field(fields, "visit_client_id") or None,
    )
    outcome = services.report(current_user._get_current_object(), new)
    return _outcome_response(outcome, new.client_id)


@bp.get("/hazards")
@role_required()
def list_hazards():
    """List the hazards the user may see (filters: state, zone, mine, overdue, deferral), urgent first."""
    wanted = [s for value in request.args.getlist("state") for s in value.split(",") if s]
    limit = _or(int_field(request.args, "limit"), LIST_LIMIT)
    offset = _or(int_field(request.args, "offset"), 0)
    if not 1 <= limit <= LIST_LIMIT_MAX or offset < 0:
        raise ValidationFailed(_l("limit must be from 1 to %(n)d, offset 0 or more.", n=LIST_LIMIT_MAX),
                               details={"limit": "range"})
    hazards, total = queries.list_hazards(
        current_user, state=wanted or None, zone_id=int_field(request.args, "zone"),
        mine=bool(flag_arg("mine")), overdue=flag_arg("overdue"), deferral_pending=flag_arg("deferral"),
        limit=limit, offset=offset)
    return jsonify(hazards=hazards_json(hazards, current_user), total=total, limit=limit, offset=offset)


@bp.get("/hazards/<int:hazard_id>")
@role_required()
def hazard_detail(hazard_id):
    """Return one hazard with its timeline and photos (404 when the user may not see it)."""
    hazard = access.get_hazard_for(current_user, hazard_id)
    return jsonify(hazard=hazard_json(hazard, current_user, detail=True))


@bp.post("/hazards/<int:hazard_id>/actions")
@role_required()
def hazard_action(hazard_id):
    """Take an action on a hazard: action, client_id, seen_state, note, deadline, rectifier_id, photos[]."""
    fields, files = read_payload()
    seen_state = text_field(fields, "seen_state")
    if not seen_state:
        raise ValidationFailed(_l("Send the state you saw the hazard in (seen_state)."),
                               details={"seen_state": "required"})
    command = services.Command(
        action=text_field(fields, "action") or "",
        client_id=text_field(fields, "client_id"),
        seen_state=seen_state,
        note=text_field(fields, "note") or "",
        deadline=date_field(fields, "deadline"),
        rectifier_id=int_field(fields, "rectifier_id"),
        device_at=time_field(fields, "device_at"),
        scanned_at=time_field(fields, "scanned_at"),
        zone_token=text_field(fields, "zone_token"),
        photos=files.get("photos", []),
    )
    outcome = services.perform(current_user._get_current_object(), hazard_id, command)
    return _outcome_response(outcome, command.client_id)


@bp.get("/hazards/transitions")
@role_required()
def transitions():
    """Return the state machine as data, with its words in the user's language (the app shows only allowed
    buttons)."""
    data = states.as_data()
    data["labels"] = {
        "states": {k: str(v) for k, v in wording.STATE_LABELS.items()},
        "actions": {k: str(v) for k, v in wording.ACTION_LABELS.items()},
        "severities": {k: str(v) for k, v in wording.SEVERITY_LABELS.items()},
    }
    data["limits"] = {"description_max": services.DESCRIPTION_MAX, "note_max": services.NOTE_MAX,
                      "photos_max": int(current_app.config["MAX_PHOTOS_PER_RECORD"])}
    return jsonify(data)


@bp.get("/me/tasks")
@role_required()
def my_tasks():
    """Return the user's hazards to rectify (overdue first, then by deadline) and rechecks to make."""
    tasks = queries.my_tasks(current_user)
    rechecks = queries.rechecks_for(current_user)
    return jsonify(tasks=hazards_json(tasks, current_user), overdue=sum(1 for h in tasks if h.is_overdue()),
                   rechecks=hazards_json(rechecks, current_user))


@bp.get("/zones/<int:zone_id>/hazards")
@role_required()
def zone_hazards(zone_id):
    """Return a zone's hazards the user may see: open ones (open=1, the default), or all (open=0)."""
    if db.session.get(Zone, zone_id) is None:
        raise NotFound(_l("No such zone."))
    open_only = flag_arg("open")
    hazards = queries.zone_hazards(current_user, zone_id, open_only=open_only is not False)
    return jsonify(zone_id=zone_id, hazards=hazards_json(hazards, current_user))


@bp.get("/categories")
@role_required()
def category_list():
    """Return the active categories (big buttons on the report screen), with periods and checklists."""
    locale = current_language()
    return jsonify(categories=[
        {"id": c.id, "code": c.code, "name": c.display_name(locale), "name_zh": c.name, "name_en": c.name_en,
         "default_period_days": c.default_period_days, "checklist": list(c.checklist or [])}
        for c in categories.list_categories()])


@bp.get("/photos/<int:photo_id>")
@role_required()
def photo(photo_id):
    """Send a photo, only to a user who may see its hazard."""
    from server.media.serve import photo_response

    item = access.get_photo_for(current_user, photo_id)
    return photo_response(item.key)


@bp.get("/photos/<int:photo_id>/thumb")
@role_required()
def photo_thumb(photo_id):
    """Send a photo's thumbnail, only to a user who may see its hazard."""
    from server.media.serve import photo_response

    item = access.get_photo_for(current_user, photo_id)
    return photo_response(item.key, thumb=True)
