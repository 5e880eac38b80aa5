"""The desk's hazard cards (the list, the new reports, the deferral requests, the rechecks) read as plain
rows: each hazard as the columns its card shows, with its zone and people by id and name, never a Hazard
object. Never writes.

Fifty Hazard objects, each with its zone, category and three people made as objects through the loader
options that ask for them, took twice the time of the rows themselves on the queue at district scale (issue
12). The lists' filters, order and paging stay in queries.py (each takes `read_cards` as the reader of its
page); the rules a card needs (open, overdue, a deferral pending, a plan missing) are the model's own,
borrowed by Card, and its attributes are named as Hazard's, so that the card's template and the rules
(services.allowed_actions, deadlines.overdue_days, queries.form_defaults) read a card as they read a hazard.
"""

from typing import NamedTuple

from sqlalchemy import Select, join, select

from server.auth.models import User
from server.extensions import db
from server.hazards.models import Category, Hazard
from server.hazards.queries import HAS_INTERIM_CONTROL
from server.zones.models import Zone


class Person(NamedTuple):
    """A person as a card names them."""

    id: int
    display_name: str


class CardZone(NamedTuple):
    """A hazard's zone as a card shows it, with its responsible person (a new report's default rectifier)."""

    name: str
    code: str
    building: str
    responsible: Person | None


# The hazard's own columns a card reads, by name, and whether it has an interim control.
COLUMNS = (Hazard.id, Hazard.state, Hazard.severity, Hazard.description, Hazard.received_at,
           Hazard.updated_at, Hazard.closed_at, Hazard.deadline, Hazard.supervised_at, Hazard.planned_at,
           Hazard.reporter_id, Hazard.rectifier_id, Hazard.category_id, Hazard.deferral_reason,
           Hazard.deferral_deadline, Hazard.deferral_requested_at, HAS_INTERIM_CONTROL.label("has_interim"))
# What the page adds to each card (views._cards): its days overdue, the actions its user may take, a client id
# for its forms, its photos side by side, its interim controls, the assign form's defaults.
EXTRAS = ("late", "allowed", "client_id", "before", "after", "interim", "default_rectifier",
          "default_deadline")


class Card:
    """A hazard as a desk card reads it: COLUMNS by name, its zone, category and people, and the page's
    EXTRAS; the model's rules that read only those."""

    __slots__ = (*(column.key for column in COLUMNS), "zone", "category", "reporter", "rectifier",
                 "deferral_requested_by", *EXTRAS)

    is_open = Hazard.is_open
    plan_missing = Hazard.plan_missing
    deferral_pending = Hazard.deferral_pending
    is_overdue = Hazard.is_overdue


# The people a card names, each an alias of the users table, and the joins that bring them and the zone: made
# once (an alias made per page proxies each of the table's columns anew: half the time of reading the cards).
# Table aliases, not aliased(User): those would configure the mappers on import, before every model is known.
_RESPONSIBLE, _REPORTER, _RECTIFIER, _REQUESTER = (User.__table__.alias(name) for name in (
    "responsible", "reporter", "rectifier", "requester"))
_JOINED = (Zone.name, Zone.code, Zone.building, _RESPONSIBLE.c.id, _RESPONSIBLE.c.display_name,
           _REPORTER.c.display_name, _RECTIFIER.c.display_name, _REQUESTER.c.id, _REQUESTER.c.display_name)
_FROM = (join(Hazard.__table__, Zone.__table__, Zone.id == Hazard.zone_id)
         .outerjoin(_RESPONSIBLE, _RESPONSIBLE.c.id == Zone.responsible_id)
         .join(_REPORTER, _REPORTER.c.id == Hazard.reporter_id)
         .outerjoin(_RECTIFIER, _RECTIFIER.c.id == Hazard.rectifier_id)
         .outerjoin(_REQUESTER, _REQUESTER.c.id == Hazard.deferral_requested_by_id))


def _person(person_id: int | None, name: str | None) -> Person | None:
    return None if person_id is None else Person(person_id, name)


def read_cards(page: Select) -> list[Card]:
    """Read a page of hazards (a SELECT of Hazard with its filters, order and limit) as cards."""
    rows = db.session.execute(page.with_only_columns(*COLUMNS, *_JOINED).select_from(_FROM)).all()
    # A page has a few categories: each read once, as the objects whose names and periods the rules read.
    categories = {category.id: category for category in db.session.scalars(
        select(Category).where(Category.id.in_({row.category_id for row in rows})))} if rows else {}
    size = len(COLUMNS)
    cards = []
    for row in rows:
        card = Card()
        for name, value in zip(Card.__slots__[:size], row, strict=False):
            setattr(card, name, value)
        (zone_name, zone_code, building, responsible_id, responsible_name, reporter_name, rectifier_name,
         requester_id, requester_name) = row[size:]
        card.zone = CardZone(zone_name, zone_code, building, _person(responsible_id, responsible_name))
        card.category = categories[card.category_id]
        card.reporter = Person(card.reporter_id, reporter_name)
        card.rectifier = _person(card.rectifier_id, rectifier_name)
        card.deferral_requested_by = _person(requester_id, requester_name)
        cards.append(card)
    return cards
