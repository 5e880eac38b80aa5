"""Zone routes of the JSON API."""

from flask import jsonify

from server.api import bp
from server.auth.permissions import role_required
from server.zones import services


def zone_json(zone) -> dict:
    """Return what the field app needs to know about a zone."""
    person = zone.responsible
    return {
        "id": zone.id,
        "code": zone.code,
        "name": zone.name,
        "building": zone.building,
        "floor": zone.floor,
        "department": zone.department,
        "key_area": zone.key_area,
        "frequency": zone.frequency,
        "frequency_days": zone.frequency_days,
        "token": zone.qr_token,
        "responsible": {"id": person.id, "name": person.display_name, "phone": person.phone}
        if person else None,
    }


@bp.get("/zones/by-token/<token>")
@role_required()
def zone_by_token(token):
    """Return the active zone a QR token opens."""
    return jsonify(zone=zone_json(services.zone_by_token(token)))


@bp.get("/zones")
@role_required()
def zone_directory():
    """Return every active zone (the directory the field app caches for offline scans)."""
    return jsonify(zones=[zone_json(z) for z in services.list_zones()])
