"""The zone payloads of /api/v1, declared once: the zone directory the field app keeps for offline scans."""

from pydantic import Field

from server.api.schemas import Answer, RequestBody


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


class ZonesQuery(RequestBody):
    """The directory whole, or only its changes since the version the phone keeps."""

    since: str | None = Field(None, max_length=100, description=(
        "The `version` of the directory the phone keeps: answer only the zones changed since, and those "
        "retired. A version the server cannot answer from (unreadable, or a responsible person changed) gets "
        "the whole directory."))


class Person(Answer):
    name: str
    phone: str


# The directory's zones as rows, not objects: the same keys 500 times were 1.1 kB of a district's directory on
# the wire (issue 12). A row holds what a zone's page shows (the zone as /zones/by-token answers it, less its
# person's id), in the order of `columns`.
DIRECTORY_COLUMNS = tuple(Zone.model_fields)
ZoneRow = tuple[int, str, str, str, str, str, bool, str, int, str, Person | None]


class Zones(Answer):
    columns: list[str] = Field(description="What each zone's row holds, in order: the fields of a zone as "
                                           "/zones/by-token answers it (its responsible person without id).")
    zones: list[ZoneRow] = Field(description="Every active zone as a row; with `since`, those changed since.")
    since: str | None = Field(description="The version these are the changes since; null: the whole.")
    retired: list[int] = Field(description="With `since`: the zones taken out of use since (drop them).")
    total: int = Field(description="How many active zones in all: the directory kept once the changes are "
                                   "applied has exactly this many (else ask for the whole).")
    version: str = Field(description="This directory's version, for the next `since`.")

