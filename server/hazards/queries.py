"""Reading hazards: lists, counts, timelines, photos, who a hazard goes to by default. Never writes.

Every list starts from access.visible_hazards (deny by default: a user sees only what their roles allow) and
sorts through Hazard.urgency_order: overdue first, then by deadline, then newest.
"""

from collections.abc import Callable, Mapping
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import defaultload

from server.auth.models import RECTIFIER, SUPERVISOR, User
from server.database import utcnow
from server.errors import ValidationFailed
from server.extensions import db
from server.hazards import access, states
from server.hazards.deadlines import default_deadline
from server.hazards.filters import BadFilter, HazardFilter
from server.hazards.models import Hazard, HazardEvent, HazardPlan, Photo
from server.schooltime import local_date, month_start
from server.zones.models import Zone

# Whether a hazard has an interim control (临时措施), read with a list's rows: the list then reads the
# controls of those that have one (few), not of every row (a statement of 0.3 ms at 100k that mostly finds
# none).
HAS_INTERIM_CONTROL = (exists().where(HazardEvent.hazard_id == Hazard.id,
                                      HazardEvent.action == states.INTERIM_CONTROL).correlate(Hazard))


def names_only() -> tuple:
    """Return the loader options of a list: its hazards' people by name, without their roles."""
    # Their roles (User.role_rows, loaded by default with every user: one more query per person column of each
    # page) are read only when a form checks a person, which then loads them itself; the queue checks its
    # defaults against the page's one list of rectifiers instead. A function: the options configure the
    # mappers, which must wait until every model is imported.
    return (defaultload(Hazard.reporter).lazyload(User.role_rows),
            defaultload(Hazard.rectifier).lazyload(User.role_rows),
            defaultload(Hazard.zone).defaultload(Zone.responsible).lazyload(User.role_rows))


def read_hazards(page: Select) -> list[Hazard]:
    """Read a page of hazards (a SELECT of Hazard) as objects, with their people by name (names_only)."""
    return list(db.session.scalars(page.options(*names_only())).unique())


def can_rectify(user: User | None, able: Mapping[int, User] | None = None) -> bool:
    """Say whether a user can be given a hazard to rectify: active and holding the rectifier role.

    `able`: the active rectifiers by id when the caller has them already (a page of cards), so that no
    person's roles are read one by one.
    """
    if user is None:
        return False
    return user.id in able if able is not None else user.active and RECTIFIER in user.roles


def default_rectifier(hazard, able: Mapping[int, User] | None = None) -> User | None:
    """Return who a hazard goes to by default: its last rectifier if still able, else the zone's 责任人.

    With `able`, the person given is the one of `able` (a card's people are only their ids and names)."""
    for person in (hazard.rectifier, hazard.zone.responsible):
        if can_rectify(person, able):
            return person if able is None else able[person.id]
    return None


def report_event(hazard: Hazard) -> HazardEvent:
    """Return the event that made the hazard."""
    return db.session.scalar(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id,
                                                       HazardEvent.action == states.REPORT))


def timeline(hazard: Hazard) -> list[HazardEvent]:
    """Return the hazard's events, oldest first."""
    return list(db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
                                   .order_by(HazardEvent.at, HazardEvent.id)))


def photos_of(hazard: Hazard) -> list[Photo]:
    """Return the hazard's photos in the order they were taken."""
    return list(db.session.scalars(select(Photo).where(Photo.hazard_id == hazard.id).order_by(Photo.id)))


def list_hazards(user: User, *, filters: HazardFilter | None = None, state=None, zone_id: int | None = None,
                 mine: bool = False, overdue: bool | None = None, deferral_pending: bool | None = None,
                 limit: int = 100, offset: int = 0, now: datetime | None = None, building: str | None = None,
                 category_id: int | None = None, severity: str | None = None, rectifier_id: int | None = None,
                 text: str | None = None, closed_since: datetime | None = None,
                 read: Callable[[Select], list] = read_hazards) -> tuple[list, int]:
    """Return the hazards `user` may see, filtered, overdue first then by deadline; and how many match.

    `filters`: a HazardFilter (server/hazards/filters.py); the keyword filters are its fields spelled the
    older way and narrow it further: `state` one state or several; `mine` reported by or assigned to the
    user; `closed_since` closed (or invalidated) at or after that time. `read`: as my_tasks.
    """
    now = now or utcnow()
    wanted = [state] if isinstance(state, str) else list(state or ())
    unknown = set(wanted) - set(states.STATES)
    if unknown:  # the older spelling names states only, never a group
        raise ValidationFailed(_l("Unknown state: %(state)s", state=", ".join(sorted(unknown))),
                               details={"state": "unknown"})
    try:
        more = HazardFilter(states=tuple(wanted), zone_id=zone_id, overdue=overdue,
                            deferral_pending=deferral_pending, building=building or "",
                            category_id=category_id, severity=severity or "", rectifier_id=rectifier_id,
                            text=(text or "").strip())
    except BadFilter as refusal:  # the API's own parameters are answered as a validation failure
        raise ValidationFailed(refusal.message, details=refusal.details) from None
    query = access.visible_hazards(user, zone_id=zone_id)
    query = more.apply((filters or HazardFilter()).apply(query, now), now)
    if mine:
        query = query.where(or_(Hazard.reporter_id == user.id, Hazard.rectifier_id == user.id))
    if closed_since is not None:
        query = query.where(Hazard.closed_at >= closed_since)
    return urgent_page(query, now, limit, offset, read)


def _urgency_groups(now: datetime) -> tuple:
    # Hazard.urgency_order's first two terms as three groups (overdue; open, not overdue; finished): each
    # group is fetched by its own query, which an index on (state, deadline) can serve, where one ORDER BY
    # on CASE expressions sorts every hazard in a temporary B-tree to give a page. Finished is named by its
    # states (IN, not NOT IN): an index seeks those, where NOT IN reads every entry.
    return (Hazard.overdue_at(now),
            and_(Hazard.state.in_(states.OPEN_STATES),
                 or_(Hazard.state != states.ASSIGNED, Hazard.deadline >= now)),
            Hazard.state.in_(states.FINISHED_STATES))


def count_of(query: Select, condition=None) -> int:
    """Return how many rows `query` gives (narrowed by `condition`): a count an index can answer."""
    query = query if condition is None else query.where(condition)
    # maintain_column_froms: still FROM hazards when no condition names it (else "SELECT count(*)" gives 1).
    return db.session.scalar(query.with_only_columns(func.count(), maintain_column_froms=True).order_by(None))


def urgent_page(query: Select, now: datetime, limit: int, offset: int,
                read: Callable[[Select], list] = read_hazards) -> tuple[list, int]:
    """Return a page of `query`'s hazards in Hazard.urgency_order (as `read` reads a page: hazards by
    default), and how many there are in all."""
    rows, sizes = _urgent_groups(query, now, limit, offset, read)
    return rows, sum(sizes)


def _urgent_groups(query: Select, now: datetime, limit: int, offset: int,
                   read: Callable[[Select], list]) -> tuple[list, list[int]]:
    """Return a page of `query`'s hazards in Hazard.urgency_order (as `read` reads a page), and each urgency
    group's size (overdue, open, finished).

    The whole and the open groups are counted by queries of their own (index counts: one aggregate of CASE
    expressions reads every row, 60–90 ms at 100,000 hazards against about 2 ms); then only the groups the
    page reaches are read,
    each in its own order (by deadline, none last; newest; id), so the rows are the same as one sorted
    query's.
    """
    groups = _urgency_groups(now)
    # The finished are what the open groups leave (the table's checks: a known state, an assigned hazard
    # has its deadline), and the whole count is the cheapest of all (SQLite counts its smallest index).
    total = count_of(query)
    # None at all (a supervisor's tasks, mostly): no group has any, and none is counted.
    overdue, still_open = (count_of(query, group) for group in groups[:2]) if total else (0, 0)
    sizes = [overdue, still_open, total - overdue - still_open]
    rows: list = []
    skip, wanted = offset, limit
    for group, size in zip(groups, sizes, strict=True):
        if wanted <= 0:
            break
        if skip >= size:
            skip -= size
            continue
        order = (Hazard.deadline.asc().nulls_last(), Hazard.received_at.desc(), Hazard.id.desc())
        # The page's ids first, then its hazards with their zone, category and people: joined before the
        # sort, every row of the group carried them through it (the 793 new reports at 100k: 10 ms, not 2).
        ids = (query.where(group).with_only_columns(Hazard.id, maintain_column_froms=True)
               .order_by(*order).limit(wanted).offset(skip))
        found = read(select(Hazard).where(Hazard.id.in_(ids)).order_by(*order))
        rows += found
        wanted -= len(found)
        skip = 0
    return rows, sizes


def my_tasks(user: User, *, now: datetime | None = None, limit: int = 50, offset: int = 0,
             read: Callable[[Select], list] = read_hazards) -> tuple[list, int, int]:
    """Return a page of the hazards assigned to `user` to rectify (overdue first, then by deadline), how many
    there are in all, and how many of them are overdue (`read`: how a page is read, hazards by default)."""
    now = now or utcnow()
    query = (access.visible_hazards(user)
             .where(Hazard.state == states.ASSIGNED, Hazard.rectifier_id == user.id))
    # The overdue are the page's first urgency group, counted already.
    rows, sizes = _urgent_groups(query, now, limit, offset, read)
    return rows, sum(sizes), sizes[0]


def rechecks_for(user: User, *, limit: int = 50, offset: int = 0,
                 read: Callable[[Select], list] = read_hazards) -> tuple[list, int]:
    """Return a page of the hazards awaiting a recheck that `user` may make (not their own work), oldest
    first (through the index on state and updated_at), and how many there are in all (`read`: as my_tasks)."""
    if SUPERVISOR not in user.roles:
        return [], 0
    query = (access.visible_hazards(user)
             .where(Hazard.state == states.AWAITING_RECHECK,
                    or_(Hazard.rectifier_id.is_(None), Hazard.rectifier_id != user.id)))
    total = count_of(query)
    return read(query.order_by(Hazard.updated_at, Hazard.id).limit(limit).offset(offset)), total


def zone_hazards(user: User, zone_id: int, *, open_only: bool = True, now: datetime | None = None,
                 read: Callable[[Select], list] = read_hazards) -> list:
    """Return the hazards of a zone `user` may see (the open ones by default), most urgent first (`read`: as
    my_tasks)."""
    query = access.visible_hazards(user, zone_id=zone_id).where(Hazard.zone_id == zone_id)
    if open_only:
        query = query.where(Hazard.state.in_(states.OPEN_STATES))
    return read(query.order_by(*Hazard.urgency_order(now)))


def hazard_counts(user: User, *, now: datetime | None = None) -> dict[str, int]:
    """Return the figures at the top of the hazard list, over the hazards `user` may see (a count each)."""
    # A count per figure, each through an index on state and the column it compares (ix_hazards_state_*):
    # one aggregate of CASE expressions reads every hazard (90 ms at 100,000 against about 2 ms in all).
    now = now or utcnow()
    figures = {
        states.REPORTED: Hazard.state == states.REPORTED,
        states.ASSIGNED: Hazard.state == states.ASSIGNED,
        "overdue": Hazard.overdue_at(now),
        states.AWAITING_RECHECK: Hazard.state == states.AWAITING_RECHECK,
        "closed_this_month": and_(Hazard.state == states.CLOSED, Hazard.closed_at >= month_start(now)),
        "deferrals": and_(Hazard.state == states.ASSIGNED, Hazard.deferral_requested_at.is_not(None)),
    }
    visible = access.visible_hazards(user)
    return {name: count_of(visible, condition) for name, condition in figures.items()}


def form_defaults(hazard: Hazard, action: str, *, now: datetime | None = None,
                  able: Mapping[int, User] | None = None) -> tuple[User | None, date | None]:
    """Return the rectifier and deadline day a form for `action` starts with: what the action does unasked.

    Assigning a new report or reopening: the default rectifier and the category's period. Reassigning: the
    current rectifier and deadline. Failing a recheck: the current rectifier, and no date (the deadline
    stands). Approving a deferral: the proposed date. `able`: as for can_rectify.
    """
    if action == states.ASSIGN and hazard.state == states.ASSIGNED:
        current = hazard.rectifier if can_rectify(hazard.rectifier, able) else default_rectifier(hazard, able)
        return current, local_date(hazard.deadline) if hazard.deadline else None
    if action in (states.ASSIGN, states.REOPEN):
        return (default_rectifier(hazard, able),
                local_date(default_deadline(hazard.category, hazard.severity, now)))
    if action == states.FAIL:
        return default_rectifier(hazard, able), None
    if action == states.APPROVE_DEFERRAL and hazard.deferral_deadline is not None:
        return None, local_date(hazard.deferral_deadline)
    return None, None


def photos_by_hazard(hazard_ids) -> dict[int, list]:
    """Return the photos of several hazards (one query), per hazard id, in the order they were taken: what a
    card shows of each (its id, kind and event), as rows."""
    # Rows, not Photo objects: a page of 50 cards has some 130 photos, of which the cards read three columns
    # (twelve columns each made an object with its time read back as UTC: a fifth of the rechecks' page).
    found: dict[int, list] = {hazard_id: [] for hazard_id in hazard_ids}
    if found:
        for photo in db.session.execute(select(Photo.id, Photo.hazard_id, Photo.event_id, Photo.kind)
                                        .where(Photo.hazard_id.in_(list(found))).order_by(Photo.id)):
            found[photo.hazard_id].append(photo)
    return found


def interim_controls_by_hazard(hazards) -> dict[int, list[HazardEvent]]:
    """Return the interim controls of the open ones of `hazards` (one query), per hazard id, newest first."""
    found: dict[int, list[HazardEvent]] = {h.id: [] for h in hazards if h.state in states.OPEN_STATES}
    if found:
        for event in db.session.scalars(select(HazardEvent).where(
                HazardEvent.hazard_id.in_(list(found)), HazardEvent.action == states.INTERIM_CONTROL)
                .order_by(HazardEvent.at.desc(), HazardEvent.id.desc())):
            found[event.hazard_id].append(event)
    return found


def plans_of(hazard: Hazard) -> list[HazardPlan]:
    """Return every version of the hazard's rectification plan, oldest first (the last is in force)."""
    return list(db.session.scalars(select(HazardPlan).where(HazardPlan.hazard_id == hazard.id)
                                   .order_by(HazardPlan.version)))
