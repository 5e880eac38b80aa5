"""Hazard routes of the JSON API: report, list, detail, actions, my tasks, a zone's hazards, photos.

Thin handlers: parse the request, call server/hazards/services.py or reporting.py, answer JSON. Times are
ISO 8601 in UTC ("...Z"); deadlines also come as the school's calendar day ("deadline_date"). Creating and
acting answer 201 the first time and 200 for a repeat of the same client id, and always echo "client_id": the
field app's outbox lets an item go only when it sees its id come back.
"""

from datetime import date, datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from server import schooltime
from server.api import bp
from server.api.conditional import NOT_MODIFIED, revalidated
from server.api.schemas import answer, json_time, operation, plain_answer, read_body, read_query, utf8_answer
from server.auth.permissions import role_required
from server.compression import packed_once
from server.errors import NotFound
from server.extensions import db
from server.hazards import (
    access,
    categories,
    items,
    photos,
    queries,
    reporting,
    schemas,
    services,
    states,
    wording,
)
from server.hazards.models import BEFORE, Hazard, HazardEvent, HazardPlan, Photo
from server.hazards.views import id_url
from server.i18n import words_of
from server.media.serve import photo_response
from server.web import current_language
from server.zones.models import Zone

# -- Writing the answer -------------------------------------------------------------------------------------

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
        "created_at": (photo.created_at),
    }


def _deadline_date(value: datetime | None) -> date | None:
    return schooltime.local_date(value) if value else None


def event_json(event: HazardEvent, photos: list[Photo]) -> dict:
    """Return one entry of a hazard's timeline."""
    return {
        "id": event.id,
        "action": event.action,
        "action_label": str(wording.ACTION_LABELS[event.action]),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": person_json(event.actor),
        "at": (event.at),
        "device_at": (event.device_at),
        "note": event.note,
        "deadline": (event.deadline),
        "deadline_date": _deadline_date(event.deadline),
        "rectifier": person_json(event.rectifier),
        "on_site": event.on_site,
        "scanned_at": (event.scanned_at),
        "client_id": event.client_id,
        "interim_kind": event.interim_kind,
        "photos": [photo_json(p) for p in photos if p.event_id == event.id],
    }


def interim_control_json(event: HazardEvent) -> dict:
    """Return one interim control (临时措施) as the zone screens show it beside its hazard (JSON-ready)."""
    return {"kind": event.interim_kind,
            "kind_label": words_of(wording.INTERIM_KIND_LABELS)[event.interim_kind],
            "note": event.note, "at": json_time(event.at), "by": person_json(event.actor)}


def plan_json(plan: HazardPlan | None) -> dict | None:
    """Return a version of a rectification plan (the five in place), or None."""
    if plan is None:
        return None
    return {"version": plan.version, "measures": plan.measures, "funding": plan.funding,
            "responsible": plan.responsible, "time_limit": plan.time_limit,
            "emergency_measures": plan.emergency_measures, "recorded_at": plan.recorded_at,
            "recorded_by": person_json(plan.recorded_by)}


def _first_thumbs(hazards: list[Hazard]) -> dict[int, int]:
    """Return, per hazard id, the id of its first before photo (one query for a whole list)."""
    ids = [h.id for h in hazards]
    if not ids:
        return {}
    rows = db.session.execute(select(Photo.hazard_id, func.min(Photo.id))
                              .where(Photo.hazard_id.in_(ids), Photo.kind == BEFORE)
                              .group_by(Photo.hazard_id))
    return {hazard_id: photo_id for hazard_id, photo_id in rows}


def hazard_json(hazard: Hazard, user, *, thumb_id: int | None = None, detail: bool = False,
                locale: str | None = None, interim: list[HazardEvent] | None = None,
                decided: dict | None = None) -> dict:
    """Return a hazard as the field app and the desk see it; with its timeline and photos when `detail`.

    `interim`: its interim controls when the caller read them for a whole list (else read here); `decided`:
    the allowed actions already decided for the list (services.allowed_actions' memo).
    """
    locale = locale or current_language()
    if interim is None:
        interim = queries.interim_controls_by_hazard([hazard]).get(hazard.id, [])
    deferral = None
    if hazard.deferral_pending:
        deferral = {"reason": hazard.deferral_reason, "proposed_deadline": (hazard.deferral_deadline),
                    "proposed_date": _deadline_date(hazard.deferral_deadline),
                    "requested_at": (hazard.deferral_requested_at),
                    "requested_by": person_json(hazard.deferral_requested_by)}
    body = {
        "id": hazard.id,
        "client_id": hazard.client_id,
        "zone": {"id": hazard.zone.id, "code": hazard.zone.code, "name": hazard.zone.name},
        "category": {"id": hazard.category.id, "code": hazard.category.code,
                     "name": hazard.category.display_name(locale)},
        "description": hazard.description,
        "severity": hazard.severity,
        "severity_label": words_of(wording.SEVERITY_LABELS)[hazard.severity],
        "state": hazard.state,
        "state_label": words_of(wording.STATE_LABELS)[hazard.state],
        "overdue": hazard.is_overdue(),
        "fixed": hazard.fixed,
        "fixed_on_the_spot": hazard.fixed_on_the_spot,
        "reporter": person_json(hazard.reporter),
        "rectifier": person_json(hazard.rectifier),
        "deadline": (hazard.deadline),
        "deadline_date": _deadline_date(hazard.deadline),
        "device_reported_at": (hazard.device_reported_at),
        "received_at": (hazard.received_at),
        "updated_at": (hazard.updated_at),
        "closed_at": (hazard.closed_at),
        "deferral": deferral,
        "visit_id": hazard.visit_id,
        "thumb_url": url_for("api.photo_thumb", photo_id=thumb_id) if thumb_id else None,
        "allowed_actions": services.allowed_actions(user, hazard, decided),
        "plan_missing": hazard.plan_missing,
        "interim_controls": [interim_control_json(e) for e in interim],
    }
    if detail:
        plans = queries.plans_of(hazard)
        body["plan"] = plan_json(plans[-1] if plans else None)
        photos = queries.photos_of(hazard)
        first = next((p for p in photos if p.kind == BEFORE), None)
        body["thumb_url"] = url_for("api.photo_thumb", photo_id=first.id) if first else None
        body["photos"] = [photo_json(p) for p in photos]
        body["events"] = [event_json(e, photos) for e in queries.timeline(hazard)]
    return body


def hazards_json(hazards: list[Hazard], user) -> list[dict]:
    """Return a list of hazards (each with its first photo's thumbnail)."""
    # The user itself, not Flask-Login's proxy: each hazard asks who they are (a lookup through the proxy
    # costs as much as the rest of the hazard's facts).
    user = getattr(user, "_get_current_object", lambda: user)()
    thumbs = _first_thumbs(hazards)
    interim = queries.interim_controls_by_hazard(hazards)
    locale = current_language()  # Babel parses locales: once per list, not once per hazard
    decided: dict = {}
    return [hazard_json(h, user, thumb_id=thumbs.get(h.id), locale=locale, interim=interim.get(h.id, []),
                        decided=decided) for h in hazards]


def hazard_items_json(lines: list[items.Line], user) -> list[dict]:
    """Return a list's lines as the field app's lists show them (schemas.HazardItem's fields, as JSON)."""
    # A district supervisor's first page of rechecks was 5.3 kB at every first load (issue 12): the lists send
    # what their lines show; the hazard's page asks for the rest. Built straight as JSON values for
    # plain_answer (no summary made then cut, no validation per item), from lines (items.py: rows, not
    # Hazard objects), with everything a list shares made once: the words, the thumbnail URL's format, the
    # user (not Flask-Login's proxy), the allowed actions.
    user = getattr(user, "_get_current_object", lambda: user)()
    interim = queries.interim_controls_by_hazard([h for h in lines if h.has_interim])
    locale = current_language()
    severities, states_ = words_of(wording.SEVERITY_LABELS), words_of(wording.STATE_LABELS)
    thumb_url = id_url("api.photo_thumb", "photo_id")
    decided: dict = {}
    return [{"id": h.id,
             "zone": {"id": h.zone_id, "code": h.zone_code, "name": h.zone_name},
             "category": {"id": h.category_id, "code": h.category_code,
                          "name": h.category_display_name(locale)},
             "description": h.description,
             "severity": h.severity, "severity_label": severities[h.severity],
             "state": h.state, "state_label": states_[h.state],
             "overdue": h.is_overdue(),
             "deadline_date": schooltime.local_date(h.deadline).isoformat() if h.deadline else None,
             "thumb_url": thumb_url(h.thumb_id) if h.thumb_id else None,
             "allowed_actions": services.allowed_actions(user, h, decided),
             "interim_controls": [interim_control_json(e) for e in interim.get(h.id, [])]}
            for h in lines]


def _outcome_response(outcome: services.Outcome, client_id: str):
    hazard = db.session.get(Hazard, outcome.hazard.id)
    photos = queries.photos_of(hazard)
    body = {"client_id": client_id, "created": outcome.created,
            "hazard": hazard_json(hazard, current_user, detail=True),
            "event": event_json(outcome.event, photos)}
    return answer(schemas.HazardWritten, body, 201 if outcome.created else 200)


_WRITTEN = {201: (schemas.HazardWritten, "Done."),
            200: (schemas.HazardWritten, "A repeat of this client id: the event made then.")}


# -- Routes -------------------------------------------------------------------------------------------------

@bp.post("/hazards")
@operation({201: (schemas.HazardWritten, "Reported."),
            200: (schemas.HazardWritten, "A repeat of this client id: the hazard made then.")},
           body=schemas.ReportIn, forms=True, errors=(400, 401, 403, 409, 413, 422),
           description="A general hazard fixed on the spot closes at once; a major or critical one awaits a "
                       "recheck. A deactivated zone answers 409.")
@role_required()
def report_hazard():
    """Report a hazard (multipart: the fields, photos[] and, when fixed on the spot, after_photos[])."""
    new = reporting.Report(**read_body(schemas.ReportIn).model_dump())
    outcome = reporting.report(current_user._get_current_object(), new)
    return _outcome_response(outcome, new.client_id)


@bp.get("/hazards")
@operation({200: schemas.HazardList}, query=schemas.HazardQuery, errors=(401, 422))
@role_required()
def list_hazards():
    """List the hazards the user may see (filters: state, zone, mine, overdue, deferral), urgent first."""
    q = read_query(schemas.HazardQuery)
    hazards, total = queries.list_hazards(
        current_user, state=q.state, zone_id=q.zone, mine=bool(q.mine), overdue=q.overdue,
        deferral_pending=q.deferral, limit=q.limit, offset=q.offset)
    return answer(schemas.HazardList, {"hazards": hazards_json(hazards, current_user), "total": total,
                                       "limit": q.limit, "offset": q.offset})


@bp.get("/hazards/<int:hazard_id>")
@operation({200: schemas.HazardOne}, errors=(401, 404))
@role_required()
def hazard_detail(hazard_id):
    """Return one hazard with its timeline and photos (404 when the user may not see it)."""
    hazard = access.get_hazard_for(current_user, hazard_id)
    return answer(schemas.HazardOne, {"hazard": hazard_json(hazard, current_user, detail=True)})


@bp.post("/hazards/<int:hazard_id>/actions")
@operation(_WRITTEN, body=schemas.ActionIn, forms=True, errors=(400, 401, 403, 404, 409, 413, 422),
           description="Photos: submit takes 1 to 6 after photos (required); pass and fail take up to 6 "
                       "recheck photos; other actions take none. See GET /hazards/transitions for who may "
                       "do what.")
@role_required()
def hazard_action(hazard_id):
    """Take an action on a hazard (a command: the action and the state the user saw)."""
    command = services.Command(**read_body(schemas.ActionIn).model_dump())
    outcome = services.perform(current_user._get_current_object(), hazard_id, command)
    return _outcome_response(outcome, command.client_id)


@bp.get("/hazards/transitions")
@operation({200: schemas.Transitions, 304: NOT_MODIFIED})
@role_required()
@packed_once
@revalidated
def transitions():
    """The state machine as data, with its words in the user's language and the limits of the fields."""
    data = states.as_data()
    data["labels"] = {
        "states": {k: str(v) for k, v in wording.STATE_LABELS.items()},
        "actions": {k: str(v) for k, v in wording.ACTION_LABELS.items()},
        "severities": {k: str(v) for k, v in wording.SEVERITY_LABELS.items()},
        "interim_kinds": {k: str(v) for k, v in wording.INTERIM_KIND_LABELS.items()},
    }
    data["limits"] = {"description_max": schemas.DESCRIPTION_MAX, "note_max": schemas.NOTE_MAX,
                      "photos_max": photos.most_per_record()}
    return utf8_answer(schemas.Transitions, data)


@bp.get("/me/tasks")
@operation({200: schemas.Tasks, 304: NOT_MODIFIED}, query=schemas.TasksQuery, errors=(401, 422))
@role_required()
@revalidated
def my_tasks():
    """A page of my hazards to rectify (overdue first, then by deadline) and of the rechecks I may make,
    with their totals: the first page unless asked (limit, offset), the same page of both lists."""
    q = read_query(schemas.TasksQuery)
    page = {"limit": q.limit, "offset": q.offset, "read": items.read_lines}
    tasks, tasks_total, overdue = queries.my_tasks(current_user, **page)
    rechecks, rechecks_total = queries.rechecks_for(current_user, **page)
    # Both pages' interim controls read together (one statement, not two; thumbnails come with the lines).
    both = hazard_items_json(tasks + rechecks, current_user)
    return plain_answer({"tasks": both[:len(tasks)], "overdue": overdue, "rechecks": both[len(tasks):],
                         "tasks_total": tasks_total, "rechecks_total": rechecks_total,
                         "limit": q.limit, "offset": q.offset})


@bp.get("/zones/<int:zone_id>/hazards")
@operation({200: schemas.ZoneHazards}, query=schemas.ZoneHazardsQuery, errors=(401, 404, 422))
@role_required()
def zone_hazards(zone_id):
    """A zone's hazards the user may see (the zone page: open ones, so as not to report a duplicate)."""
    if db.session.get(Zone, zone_id) is None:
        raise NotFound(_l("No such zone."))
    q = read_query(schemas.ZoneHazardsQuery)
    lines = queries.zone_hazards(current_user, zone_id, open_only=q.open is not False, read=items.read_lines)
    return plain_answer({"zone_id": zone_id, "hazards": hazard_items_json(lines, current_user)})


@bp.get("/categories")
@operation({200: schemas.Categories, 304: NOT_MODIFIED})
@role_required()
@packed_once
@revalidated
def category_list():
    """The active hazard categories (big buttons on the report screen), with periods and checklists."""
    locale = current_language()
    return utf8_answer(schemas.Categories, {"categories": [
        {"id": c.id, "code": c.code, "name": c.display_name(locale), "name_zh": c.name, "name_en": c.name_en,
         "default_period_days": c.default_period_days, "checklist": list(c.checklist or [])}
        for c in categories.list_categories()]})


_IMAGE = "The JPEG (metadata stripped), cacheable for a year."
_NOT_MODIFIED = "Not modified (If-None-Match matched the ETag)."


@bp.get("/photos/<int:photo_id>")
@operation({200: _IMAGE, 304: _NOT_MODIFIED}, errors=(401, 404), image=True)
@role_required()
def photo(photo_id):
    """A photo (only if the user may see its hazard)."""
    item = access.get_photo_for(current_user, photo_id)
    return photo_response(item.key)


@bp.get("/photos/<int:photo_id>/thumb")
@operation({200: _IMAGE, 304: _NOT_MODIFIED}, errors=(401, 404), image=True)
@role_required()
def photo_thumb(photo_id):
    """A photo's thumbnail (only if the user may see its hazard)."""
    item = access.get_photo_for(current_user, photo_id)
    return photo_response(item.key, thumb=True)
