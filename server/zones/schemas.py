"""The zone payloads of /api/v1, declared once: the zone directory the field app keeps for offline scans."""

from server.api.schemas import Answer


class ZoneRef(Answer):
    id: int
    code: str
    name: str


class Responsible(Answer):
    id: int
    name: str
    phone: str


class Zone(Answer):
    id: int
    code: str
    name: str
    building: str
    floor: str
    department: str
    key_area: bool
    frequency: str
    frequency_days: int
    token: str
    responsible: Responsible | None


class ZoneOne(Answer):
    zone: Zone


class Zones(Answer):
    zones: list[Zone]

