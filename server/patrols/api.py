"""Patrol routes of the JSON API: record a visit ("no hazard found" in one tap)."""

from flask_login import current_user

from server.api import bp
from server.api.conditional import NOT_MODIFIED, revalidated
from server.api.schemas import answer, operation, read_body, read_query
from server.auth.permissions import role_required
from server.patrols import schemas, services
from server.patrols.models import PatrolVisit


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


def round_zone_json(zone) -> dict:
    """Return a zone as a line of the round shows it (its facts are in the zone directory)."""
    return {"id": zone.id, "code": zone.code, "name": zone.name, "key_area": zone.key_area,
            "token": zone.qr_token}


@bp.get("/me/today")
@operation({200: (schemas.TodaysRound, "Today's round."), 304: NOT_MODIFIED}, query=schemas.RoundQuery,
           errors=(401, 422))
@role_required()
@revalidated
def todays_round():
    """A page of today's patrol round (the zones due: key areas, the longest unvisited first; the first page
    unless asked), how many are due in all, and the zones I patrolled."""
    q = read_query(schemas.RoundQuery)
    today = services.todays_round(current_user._get_current_object())
    # A district's 500 zones made the round 8.9 kB at every first load (issue 12): home shows a page.
    page = today.due[q.offset:q.offset + q.limit]
    return answer(schemas.TodaysRound, {
        "date": today.day,
        "due": [{"zone": round_zone_json(zone), "last_visit_at": last} for zone, last in page],
        "due_total": len(today.due),
        "done": [round_zone_json(zone) for zone in today.done],
        "limit": q.limit, "offset": q.offset})
