"""Patrol routes of the JSON API: record a visit ("no hazard found" in one tap)."""

from flask_login import current_user

from server.api import bp
from server.api.conditional import NOT_MODIFIED, revalidated
from server.api.schemas import answer, operation, read_body
from server.auth.permissions import role_required
from server.patrols import schemas, services
from server.patrols.models import PatrolVisit
from server.zones.api import zone_json


def visit_json(visit: PatrolVisit) -> dict:
    """Return a visit as the field app sees it."""
    return {
        "id": visit.id,
        "client_id": visit.client_id,
        "zone": {"id": visit.zone.id, "code": visit.zone.code, "name": visit.zone.name},
        "patrol": {"id": visit.patrol.id, "name": visit.patrol.display_name},
        "result": visit.result,
        "device_at": (visit.device_at),
        "received_at": (visit.received_at),
        "scanned_at": (visit.scanned_at),
        "on_site": visit.on_site,
        "checklist": visit.checklist or {},
        "note": visit.note,
    }


@bp.post("/visits")
@operation({201: (schemas.VisitWritten, "Recorded."),
            200: (schemas.VisitWritten, "A repeat of this client id: the visit made then.")},
           body=schemas.VisitIn, forms=True, errors=(401, 403, 409, 422))
@role_required()
def record_visit():
    """Record a patrol visit ("no hazard found" in one tap)."""
    new = services.Visit(**read_body(schemas.VisitIn).model_dump())
    outcome = services.record_visit(current_user._get_current_object(), new)
    return answer(schemas.VisitWritten, {"client_id": new.client_id, "created": outcome.created,
                                         "visit": visit_json(outcome.visit)}, 201 if outcome.created else 200)


@bp.get("/me/today")
@operation({200: (schemas.TodaysRound, "Today's round."), 304: NOT_MODIFIED})
@role_required()
@revalidated
def todays_round():
    """Today's patrol round: the zones due (key areas, the longest unvisited first) and those I patrolled."""
    today = services.todays_round(current_user._get_current_object())
    return answer(schemas.TodaysRound, {
        "date": today.day,
        "due": [{"zone": zone_json(zone), "last_visit_at": last} for zone, last in today.due],
        "done": [zone_json(zone) for zone in today.done]})
