"""The rules for zones: the only code that creates or changes a Zone or its QR token."""

import re
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import defaultload, lazyload

from server.auth.models import User
from server.errors import Conflict, NotFound, ValidationFailed
from server.extensions import db
from server.zones.models import CUSTOM, DAILY, GENERAL, RISK_FREQUENCY, WEEKLY, RetiredToken, Zone

# No 0/o, 1/l/i: a token may be read aloud or typed from a damaged label.
TOKEN_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # noqa: S105 (not a password)
TOKEN_LENGTH = 10
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
FIELDS = ("code", "name", "building", "floor", "department", "responsible", "key_area", "frequency",
          "frequency_days", "risk_level")


def new_token() -> str:
    """Return a fresh random QR token (about 49 bits)."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def normalize_code(code: str) -> str:
    """Return the canonical zone code (trimmed, upper case)."""
    return (code or "").strip().upper()


def frequency_days_for(frequency: str, days: int | None) -> int:
    """Return the patrol interval in days implied by a frequency."""
    if frequency == DAILY:
        return 1
    if frequency == WEEKLY:
        return 7
    if frequency == CUSTOM:
        if not isinstance(days, int) or not 1 <= days <= 365:
            raise ValidationFailed(_l("A custom patrol frequency needs a number of days from 1 to 365."),
                                   details={"frequency_days": "range"})
        return days
    raise ValidationFailed(_l("Unknown patrol frequency: %(value)s", value=frequency),
                           details={"frequency": "unknown"})


def proposed_frequency(risk_level: str) -> tuple[str, int]:
    """Return the patrol frequency and its days that a risk level proposes (models.RISK_FREQUENCY)."""
    if risk_level not in RISK_FREQUENCY:
        raise ValidationFailed(_l("Unknown risk level: %(value)s", value=risk_level),
                               details={"risk_level": "unknown"})
    return RISK_FREQUENCY[risk_level]


def find_by_code(code: str) -> Zone | None:
    """Return the zone with this code, or None."""
    return db.session.scalar(select(Zone).where(Zone.code == normalize_code(code)))


def _validate(code, name, frequency, frequency_days, responsible, zone=None, risk_level=GENERAL):
    code = normalize_code(code)
    if frequency is None:  # as the risk level proposes
        frequency, frequency_days = proposed_frequency(risk_level)
    else:
        proposed_frequency(risk_level)  # a known level
    if not CODE_RE.match(code):
        raise ValidationFailed(
            _l("The zone code must be 1 to 32 letters, digits, dots, dashes or underscores."),
            details={"code": "format"})
    if not (name or "").strip():
        raise ValidationFailed(_l("The zone needs a name."), details={"name": "required"})
    if len(name.strip()) > 128:
        raise ValidationFailed(_l("The zone name is too long (at most 128 characters)."),
                               details={"name": "too_long"})
    other = find_by_code(code)
    if other is not None and other is not zone:
        raise Conflict(_l("The zone code %(code)s is already used.", code=code), details={"code": "taken"})
    if responsible is not None and not responsible.active:
        raise ValidationFailed(_l("The responsible person's account is disabled."),
                               details={"responsible": "disabled"})
    return code, name.strip(), frequency, frequency_days_for(frequency, frequency_days)


def create_zone(code, name, *, building="", floor="", department="", responsible: User | None = None,
                key_area=False, frequency=None, frequency_days=None, risk_level=GENERAL, flush=True) -> Zone:
    """Create an active zone with a fresh QR token; no frequency: the one its risk level proposes."""
    code, name, frequency, days = _validate(code, name, frequency, frequency_days, responsible,
                                            risk_level=risk_level)
    zone = Zone(code=code, name=name, building=(building or "").strip(), floor=(floor or "").strip(),
                department=(department or "").strip(), responsible=responsible, key_area=bool(key_area),
                frequency=frequency, frequency_days=days, risk_level=risk_level, qr_token=new_token(),
                active=True)
    db.session.add(zone)
    if flush:
        db.session.flush()
    return zone


def update_zone(zone: Zone, *, code, name, building="", floor="", department="",
                responsible: User | None = None, key_area=False, frequency=None,
                frequency_days=None, risk_level=GENERAL) -> Zone:
    """Change a zone's details (its token only by reissue_token); no frequency: as its risk proposes."""
    code, name, frequency, days = _validate(code, name, frequency, frequency_days, responsible, zone=zone,
                                            risk_level=risk_level)
    zone.code, zone.name = code, name
    zone.building, zone.floor = (building or "").strip(), (floor or "").strip()
    zone.department = (department or "").strip()
    zone.responsible = responsible
    zone.key_area = bool(key_area)
    zone.frequency, zone.frequency_days, zone.risk_level = frequency, days, risk_level
    db.session.flush()
    return zone


def set_active(zone: Zone, active: bool) -> None:
    """Activate or deactivate a zone. Zones are never deleted: their history stays."""
    zone.active = active
    db.session.flush()


def reissue_token(zone: Zone, by: User | None = None) -> str:
    """Give the zone a new QR token; the old label stops working at once."""
    db.session.add(RetiredToken(token=zone.qr_token, zone_id=zone.id, retired_by_id=by.id if by else None))
    zone.qr_token = new_token()
    db.session.flush()
    return zone.qr_token


def zone_by_token(token: str) -> Zone:
    """Return the active zone a QR token belongs to, or raise NotFound saying why it does not work."""
    token = (token or "").strip().lower()
    zone = db.session.scalar(select(Zone).where(Zone.qr_token == token)) if token else None
    if zone is not None:
        if not zone.active:
            raise NotFound(_l("This zone (%(name)s) is no longer in use. Please tell the logistics office.",
                              name=zone.name), details={"reason": "inactive"})
        return zone
    if token and db.session.get(RetiredToken, token) is not None:
        raise NotFound(_l("This QR label has been replaced and no longer works. "
                          "Please tell the logistics office so the new label is posted."),
                       details={"reason": "retired"})
    raise NotFound(_l("This QR code is not one of our zone labels. Check the label, or enter the "
                      "zone code by hand."), details={"reason": "unknown"})


def get_zone(zone_id: int) -> Zone:
    """Return a zone by id or raise NotFound."""
    zone = db.session.get(Zone, zone_id)
    if zone is None:
        raise NotFound(_l("No such zone."))
    return zone


def list_zones(include_inactive=False, *, responsible=True) -> list[Zone]:
    """Return the zones ordered by code; with each one's 责任人 unless `responsible` is false (a filter's
    choices need only codes and names)."""
    # The 责任人's name and phone, not their roles (loaded with every user by default, in one more query).
    people = (defaultload(Zone.responsible).lazyload(User.role_rows) if responsible
              else lazyload(Zone.responsible))
    query = select(Zone).options(people).order_by(Zone.code)
    if not include_inactive:
        query = query.where(Zone.active.is_(True))
    return list(db.session.scalars(query))


def search_zones(text: str = "", building: str | None = None, status: str = "active", *,
                 limit: int | None = None, offset: int = 0) -> tuple[list[Zone], int]:
    """Return a page of zones by code (all without `limit`), filtered by a text in code or name, a building
    and active/inactive/all; and how many match in all."""
    query = select(Zone)
    text = (text or "").strip()
    if text:
        query = query.where(Zone.code.icontains(text, autoescape=True)
                            | Zone.name.icontains(text, autoescape=True))
    if building:
        query = query.where(Zone.building == building)
    if status == "active":
        query = query.where(Zone.active.is_(True))
    elif status == "inactive":
        query = query.where(Zone.active.is_(False))
    page = list(db.session.scalars(query.order_by(Zone.code).limit(limit).offset(offset)))
    if limit is None or (offset == 0 and len(page) < limit):
        return page, len(page) + offset
    return page, db.session.scalar(query.with_only_columns(func.count(), maintain_column_froms=True))


def buildings() -> list[str]:
    """Return the distinct building names the zones use, sorted."""
    return list(db.session.scalars(select(Zone.building).where(Zone.building != "").distinct()
                                   .order_by(Zone.building)))


def label_url(zone: Zone) -> str:
    """Return the URL the zone's posted QR label encodes."""
    from flask import current_app

    return f"{current_app.config['PUBLIC_BASE_URL']}/z/{zone.qr_token}"
