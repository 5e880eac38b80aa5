"""Patrol routes of the JSON API: record a visit ("no hazard found" in one tap)."""

from flask import jsonify
from flask_login import current_user

from server.api import bp
from server.auth.permissions import role_required
from server.hazards.api import int_field, iso, read_payload, text_field, time_field
from server.patrols import services
from server.patrols.models import NO_HAZARD, PatrolVisit


def visit_json(visit: PatrolVisit) -> dict:
    """Return a visit as the field app sees it."""
    return {
        "id": visit.id,
        "client_id": visit.client_id,
        "zone": {"id": visit.zone.id, "code": visit.zone.code, "name": visit.zone.name},
        "patrol": {"id": visit.patrol.id, "name": visit.patrol.display_name},
        "result": visit.result,
        "device_at": iso(visit.device_at),
        "received_at": iso(visit.received_at),
        "scanned_at": iso(visit.scanned_at),
        "on_site": visit.on_site,
        "checklist": visit.checklist or {},
        "note": visit.note,
    }


@bp.post("/visits")
@role_required()
def record_visit():
    """Record a patrol visit: client_id, zone_id, result (default no_hazard), device_at, scan, checklist."""
    fields, _files = read_payload()
    checklist = fields.get("checklist")
    if isinstance(checklist, str):  # a multipart form sends it as JSON text
        import json

        try:
            checklist = json.loads(checklist) if checklist else {}
        except ValueError:
            checklist = "invalid"
    new = services.Visit(
        client_id=text_field(fields, "client_id"),
        zone_id=int_field(fields, "zone_id"),
        result=text_field(fields, "result") or NO_HAZARD,
        device_at=time_field(fields, "device_at"),
        scanned_at=time_field(fields, "scanned_at"),
        zone_token=text_field(fields, "zone_token"),
        checklist=checklist if checklist is not None else {},
        note=text_field(fields, "note") or "",
    )
    outcome = services.record_visit(current_user._get_current_object(), new)
    return jsonify(client_id=new.client_id, created=outcome.created, visit=visit_json(outcome.visit)), (
        201 if outcome.created else 200)


@bp.get("/me/today")
@role_required()
def todays_round():
    """Return today's patrol round: the zones due for a patrol and the zones the user patrolled today."""
    from server.zones.api import zone_json

    today = services.todays_round(current_user._get_current_object())
    return jsonify(date=today.day.isoformat(),
                   due=[{"zone": zone_json(zone), "last_visit_at": iso(last)} for zone, last in today.due],
                   done=[zone_json(zone) for zone in today.done])
