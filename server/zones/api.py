"""Zone routes of the JSON API."""

import hashlib
from datetime import UTC, datetime, timedelta

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from server.api import bp
from server.api.conditional import NOT_MODIFIED, body_etag, revalidated
from server.api.schemas import answer, operation, read_query, utf8_answer
from server.auth.permissions import role_required
from server.compression import packed
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


def directory_row(zone) -> list:
    """Return a zone as the directory's row (schemas.DIRECTORY_COLUMNS)."""
    facts = zone_json(zone)
    if facts["responsible"]:
        del facts["responsible"]["id"]  # the phone shows the name and the phone
    return [facts[column] for column in schemas.DIRECTORY_COLUMNS]


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


# A change committed late carries the time its transaction began: the changes of the last minutes before a
# version is served are sent again with the next changes (a few zones twice, never one missed).
OVERLAP = timedelta(minutes=10)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _people_tag(zones) -> str:
    """Return a tag of the responsible people's names and phones (a person's edit does not touch the zone)."""
    people = sorted({(z.responsible.id, z.responsible.display_name, z.responsible.phone)
                     for z in zones if z.responsible})
    return hashlib.sha256(repr(people).encode()).hexdigest()[:12]


def _version(every, people: str) -> str:
    """Return the directory's version: the time from which a change may be missing from it, and the people."""
    # Right after the newest change (nothing can commit later with an earlier time once OVERLAP has passed),
    # or, while the newest change is that recent, OVERLAP before now on a grid of OVERLAP: the answer (and its
    # ETag, for a 304) stays the same for ten minutes, not one request.
    newest = max((z.updated_at for z in every), default=EPOCH) + timedelta(microseconds=1)
    now = datetime.now(UTC)
    since = min(newest, now - (now - EPOCH) % OVERLAP - OVERLAP)
    return f"{(since - EPOCH) // timedelta(microseconds=1)}-{people}"


@bp.after_app_request
def _packed(response):
    """Compress the whole zone directory at the best ratio, once per version and encoding."""
    # 140 kB of JSON at a district's 500 zones: brotli's best ratio sends 12 kB where the quick level of every
    # other answer sends 17 kB, for half a second once per version; only this version is kept in memory. An
    # app-wide hook, so that it runs after the view's ETag and before Flask-Compress (which then leaves it).
    if request.endpoint != "api.zone_directory" or response.status_code != 200 or "since" in request.args:
        return response
    tag, _ = response.get_etag()
    key = f"zone-directory:{tag or body_etag(response.get_data())}"
    kept = current_app.extensions["precompressed"]
    for old in [k for k in list(kept) if str(k[0]).startswith("zone-directory:") and k[0] != key]:
        kept.pop(old, None)
    return packed(response, key)


def _since(version: str | None, people: str) -> datetime | None:
    """Return the time from which a phone's directory `version` may miss changes, or None when only the whole
    directory will do (unreadable, or a responsible person changed since)."""
    stamp, _, tag = (version or "").partition("-")
    if tag != people or not stamp.isdigit():
        return None
    try:
        return EPOCH + timedelta(microseconds=int(stamp))
    except OverflowError:
        return None


@bp.get("/zones")
@operation({200: (schemas.Zones, "The active zones: all of them, or the changes since a version."),
            304: NOT_MODIFIED}, query=schemas.ZonesQuery, errors=(401, 422))
@role_required()
@revalidated
def zone_directory():
    """Return every active zone (the directory the field app keeps for offline scans), or, `since` the
    version the phone keeps, only the zones changed and those retired since."""
    # At a district's 500 zones the whole directory is 17 kB on the wire (issue 12): a phone that has it gets
    # the few zones renamed, added or retired since, and applies them to its copy.
    q = read_query(schemas.ZonesQuery)
    every = services.list_zones(include_inactive=True)
    active = [z for z in every if z.active]
    people = _people_tag(active)
    version = _version(every, people)
    since = _since(q.since, people)
    changed = active if since is None else [z for z in active if z.updated_at >= since]
    retired = [] if since is None else [z.id for z in every if not z.active and z.updated_at >= since]
    return utf8_answer(schemas.Zones, {
        "columns": list(schemas.DIRECTORY_COLUMNS), "zones": [directory_row(z) for z in changed],
        "retired": retired, "since": None if since is None else q.since, "total": len(active),
        "version": version})
