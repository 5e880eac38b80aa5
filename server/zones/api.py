"""Zone routes of the JSON API."""

from flask_babel import lazy_gettext as _l

from server.api import bp
from server.api.conditional import NOT_MODIFIED, revalidated
from server.api.schemas import answer, operation
from server.auth.permissions import role_required
from server.errors import NotFound
from server.zones import schemas, services


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
@operation({200: (schemas.ZoneOne, "The zone.")}, errors=(401, 404),
           description="404 says why in details.reason: unknown, retired (label replaced) or inactive.")
@role_required()
def zone_by_token(token):
    """Return the active zone a QR token opens."""
    return answer(schemas.ZoneOne, {"zone": zone_json(services.zone_by_token(token))})


@bp.get("/zones/by-code/<code>")
@operation({200: (schemas.ZoneOne, "The zone.")}, errors=(401, 404))
@role_required()
def zone_by_code(code):
    """Return the active zone with this code (typed by hand when a label cannot be scanned)."""
    zone = services.find_by_code(code)
    if zone is None or not zone.active:
        raise NotFound(_l("No zone in use has the code %(code)s. Check the code on the label.",
                          code=services.normalize_code(code)))
    return answer(schemas.ZoneOne, {"zone": zone_json(zone)})


@bp.get("/zones")
@operation({200: (schemas.Zones, "Every active zone."), 304: NOT_MODIFIED})
@role_required()
@revalidated
def zone_directory():
    """Return every active zone (the directory the field app caches for offline scans)."""
    return answer(schemas.Zones, {"zones": [zone_json(z) for z in services.list_zones()]})
