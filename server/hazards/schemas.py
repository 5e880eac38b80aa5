"""The hazard payloads of /api/v1, declared once: what a report and an action carry, the list filters, and
every hazard answer. Handlers parse and answer through these; the OpenAPI document is generated from them.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from pydantic import Field

from server.api.schemas import Answer, ClientId, Day, DeviceTime, Files, Id, RequestBody, Text
from server.hazards import states
from server.zones.schemas import ZoneRef

DESCRIPTION_MAX = 2000
NOTE_MAX = 2000
FUNDING_MAX = 200
RESPONSIBLE_MAX = 64
TOKEN_MAX = 64
LIST_LIMIT = 100
LIST_LIMIT_MAX = 500
# The field app's first page of tasks and of rechecks: a phone opens with these and asks for more.
TASKS_PAGE = 50

Severity = Literal[states.SEVERITIES]
State = Literal[states.STATES]
Action = Literal[states.ACTIONS]
InterimKind = Literal[states.INTERIM_KINDS]
_CLIENT_ID_MESSAGE = _l("Every record needs a client id (8 to 64 letters, digits or dashes).")


# -- Requests -----------------------------------------------------------------------------------------------

class ReportIn(RequestBody):
    """A new hazard as its reporter sends it (multipart: the fields, photos[] and after_photos[])."""

    messages = {
        "client_id": _CLIENT_ID_MESSAGE,
        "visit_client_id": _CLIENT_ID_MESSAGE,
        "severity": _l("Choose the severity: general, major or critical."),
        "description": {"too_long": _l("The description is too long (at most %(n)d characters).",
                                       n=DESCRIPTION_MAX)},
    }

    client_id: ClientId
    zone_id: Id
    category_id: Id
    severity: Severity
    description: Text = Field("", max_length=DESCRIPTION_MAX,
                             description="Optional: the photos and the category say what it is.")
    fixed_on_the_spot: bool = Field(False, description="立行立改; then after_photos[] are required.")
    device_at: DeviceTime | None = Field(None, description="When it was reported, by the device's clock.")
    scanned_at: DeviceTime | None = Field(None, description="When the zone's QR label was scanned.")
    zone_token: Text | None = Field(None, max_length=TOKEN_MAX,
                                   description="The token of the label scanned (for 'done on site').")
    visit_client_id: ClientId | None = Field(None, description="The visit this report belongs to (made if "
                                                                 "new).")
    photos: list[bytes] = Files("Before photos, 1 to 6.")
    after_photos: list[bytes] = Files("After photos (fixed on the spot), 1 to 6.")


class ActionIn(RequestBody):
    """An action on a hazard: the command and the state the user saw, never a new state."""

    messages = {
        "client_id": _CLIENT_ID_MESSAGE,
        "seen_state": _l("Send the state you saw the hazard in (seen_state)."),
        "note": {"too_long": _l("The note is too long (at most %(n)d characters).", n=NOTE_MAX)},
    }

    action: Action
    client_id: ClientId
    seen_state: State = Field(description="The state the user saw; if the hazard has moved on: 409.")
    note: Text = Field("", max_length=NOTE_MAX, description="Required for request_deferral (the reason), "
                                                           "fail, invalidate, reopen.")
    deadline: Day | None = Field(None, description="A day in the school's time zone: assign, "
                                                   "approve_deferral (overrides the proposed date), "
                                                   "request_deferral (proposed), fail, reopen.")
    rectifier_id: Id | None = Field(None, description="assign, fail, reopen: defaults to the current/last "
                                                      "rectifier or the zone's responsible person.")
    device_at: DeviceTime | None = None
    scanned_at: DeviceTime | None = None
    zone_token: Text | None = Field(None, max_length=TOKEN_MAX)
    photos: list[bytes] = Files("submit: 1 to 6 after photos; pass and fail: up to 6 recheck photos.")
    interim_kind: InterimKind | None = Field(None, description="interim_control (required): what was put in "
                                                               "place; `other` needs a note saying what.")
    measures: Text = Field("", max_length=NOTE_MAX, description="plan (required): 整改措施.")
    funding: Text = Field("", max_length=FUNDING_MAX, description="plan (required): 整改资金, as the school "
                                                                  "writes it.")
    responsible: Text = Field("", max_length=RESPONSIBLE_MAX, description="plan (required): 责任人, a name.")
    time_limit: Day | None = Field(None, description="plan (required): 整改时限, a day in the school's time "
                                                     "zone, not in the past.")
    emergency_measures: Text = Field("", max_length=NOTE_MAX, description="plan (required): 应急措施.")


class HazardQuery(RequestBody):
    """The filters of the hazard list."""

    state: list[State] | None = Field(None, description="One state, or several (repeat or comma-separate).")
    zone: Id | None = Field(None, description="A zone id (patrols then also see its open hazards).")
    mine: bool | None = Field(None, description="1: reported by me or assigned to me.")
    overdue: bool | None = Field(None, description="1: only overdue; 0: only not overdue.")
    deferral: bool | None = Field(None, description="1: only those with a deferral request waiting; 0: only "
                                                    "those without.")
    limit: int = Field(LIST_LIMIT, ge=1, le=LIST_LIMIT_MAX)
    offset: int = Field(0, ge=0, le=2**63 - 1, description="For paging.")


class TasksQuery(RequestBody):
    """Which page of my tasks and of my rechecks (the same page of both lists)."""

    limit: int = Field(TASKS_PAGE, ge=1, le=LIST_LIMIT_MAX, description="Hazards per list.")
    offset: int = Field(0, ge=0, le=2**63 - 1, description="For paging: the number of hazards to skip.")


class ZoneHazardsQuery(RequestBody):
    """Which of a zone's hazards: open ones (the default) or all."""

    open: bool | None = Field(None, description="1 (default): open hazards only; 0: all the user may see.")


# -- Answers ------------------------------------------------------------------------------------------------

class Person(Answer):
    id: int
    name: str
    department: str


class CategoryRef(Answer):
    id: int
    code: str
    name: str


class Photo(Answer):
    id: int
    kind: Literal["before", "after", "recheck"]
    kind_label: str
    event_id: int
    url: str
    thumb_url: str
    width: int
    height: int
    created_at: datetime


class Event(Answer):
    id: int
    action: Literal[states.EVENT_ACTIONS]
    action_label: str
    from_state: State | None
    to_state: State
    actor: Person
    at: datetime
    device_at: datetime | None
    note: str
    deadline: datetime | None
    deadline_date: date | None
    rectifier: Person | None
    on_site: bool
    scanned_at: datetime | None
    client_id: str | None
    interim_kind: InterimKind | None = Field(description="interim_control: what was put in place.")
    photos: list[Photo]


class InterimControl(Answer):
    """What keeps people safe while the hazard waits (临时措施), as recorded by someone working it."""

    kind: InterimKind
    kind_label: str
    note: str
    at: datetime
    by: Person


class Plan(Answer):
    """The latest version of the hazard's rectification plan (the five in place)."""

    version: int
    measures: str
    funding: str
    responsible: str
    time_limit: date
    emergency_measures: str
    recorded_at: datetime
    recorded_by: Person


class Deferral(Answer):
    reason: str
    proposed_deadline: datetime
    proposed_date: date
    requested_at: datetime
    requested_by: Person | None


# The facts a hazard's summary and a list's line share, each declared once (the two answers keep their own
# field order: the document lists a model's fields in the order it declares them).
Overdue = Annotated[bool, Field(description="Derived: assigned and past the deadline.")]
DeadlineDate = Annotated[date | None, Field(description="The deadline day in the school's time zone.")]
InterimControls = Annotated[list[InterimControl], Field(description="While open: what was done to keep "
                                                                    "people safe meanwhile, newest first.")]


class HazardSummary(Answer):
    id: int
    client_id: str
    zone: ZoneRef
    category: CategoryRef
    description: str
    severity: Severity
    severity_label: str
    state: State
    state_label: str
    overdue: Overdue
    fixed: bool = Field(description="Closed by a passed recheck or fixed on the spot.")
    fixed_on_the_spot: bool
    reporter: Person
    rectifier: Person | None
    deadline: datetime | None = Field(description="The end of the deadline day in the school's time zone.")
    deadline_date: DeadlineDate
    device_reported_at: datetime
    received_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    deferral: Deferral | None
    visit_id: int | None
    thumb_url: str | None
    allowed_actions: list[Action] = Field(description="What the signed-in user may do now: the buttons to "
                                                      "show.")
    plan_missing: bool = Field(description="Major or critical and no rectification plan recorded: it cannot "
                                           "be assigned until one is.")
    interim_controls: InterimControls


class HazardItem(Answer):
    """A hazard as the field app's lists show it (my tasks, a zone's open hazards): no client id, people or
    times beyond the deadline's day; its page (GET /api/v1/hazards/<id>) has the rest."""

    id: int
    zone: ZoneRef
    category: CategoryRef
    description: str
    severity: Severity
    severity_label: str
    state: State
    state_label: str
    overdue: Overdue
    deadline_date: DeadlineDate
    thumb_url: str | None
    allowed_actions: list[Action] = Field(description="What the signed-in user may do now.")
    interim_controls: InterimControls


class Hazard(HazardSummary):
    plan: Plan | None = Field(description="The latest version of the rectification plan, if any.")
    photos: list[Photo]
    events: list[Event] = Field(description="The timeline, oldest first.")


class HazardOne(Answer):
    hazard: Hazard


class HazardList(Answer):
    hazards: list[HazardSummary]
    total: int
    limit: int
    offset: int


class HazardWritten(Answer):
    client_id: str = Field(description="Echoed: the outbox drops an item only when it sees its id.")
    created: bool = Field(description="false: a repeat of this client id (answered 200).")
    hazard: Hazard
    event: Event


class Transition(Answer):
    from_: State = Field(alias="from")
    action: Action
    to: State
    roles: list[str]
    conditions: list[str]
    required: list[str]


class ReportRule(Answer):
    roles: list[str]
    required: list[str]
    to: dict[str, dict[Literal["fixed_on_the_spot", "otherwise"], State]]


class Labels(Answer):
    states: dict[str, str]
    actions: dict[str, str]
    severities: dict[str, str]
    interim_kinds: dict[str, str]


class Limits(Answer):
    description_max: int
    note_max: int
    photos_max: int


class Transitions(Answer):
    states: list[State]
    open_states: list[State]
    severities: list[Severity]
    actions: list[Action]
    plan_severities: list[Severity]
    interim_kinds: list[InterimKind]
    transitions: list[Transition]
    report: ReportRule
    labels: Labels
    limits: Limits


class Tasks(Answer):
    tasks: list[HazardItem] = Field(description="A page of my tasks, overdue first, then by deadline.")
    overdue: int = Field(description="How many of all my tasks are overdue.")
    rechecks: list[HazardItem] = Field(description="A page of the rechecks I may make, oldest first.")
    tasks_total: int = Field(description="How many tasks in all (ask again with a larger offset for more).")
    rechecks_total: int = Field(description="How many rechecks in all.")
    limit: int
    offset: int


class ZoneHazards(Answer):
    zone_id: int
    hazards: list[HazardItem]


class Category(Answer):
    id: int
    code: str
    name: str
    name_zh: str
    name_en: str
    default_period_days: int | None
    checklist: list[str]


class Categories(Answer):
    categories: list[Category]
