"""The field app's lists (my tasks, my rechecks, a zone's hazards) read as lines: each hazard as the columns
its line shows and its allowed actions need, one row each, never a Hazard object. Never writes.

A page of 50 Hazard objects, each with its zone and category objects, was most of /me/tasks at district scale
(issue 12), for lines that show thirteen fields. The lists' filters, order and paging stay in queries.py (each
takes `read_lines` as the reader of its page); the rules a line needs (overdue, a deferral pending, the
category's name in a language) are the models' own, borrowed by Line.
"""

from collections import namedtuple
from typing import NamedTuple

from sqlalchemy import Select, func, select

from server.extensions import db
from server.hazards.models import BEFORE, Category, Hazard, Photo
from server.hazards.queries import HAS_INTERIM_CONTROL
from server.zones.models import Zone

# The first before photo of the line's hazard (its thumbnail), read with the line: a correlated subquery
# through the index on photos.hazard_id, not one more statement for the page.
_THUMB = (select(func.min(Photo.id)).where(Photo.hazard_id == Hazard.id, Photo.kind == BEFORE)
          .correlate(Hazard).scalar_subquery())
# What a line reads, by name: the hazard's facts, its zone's and category's, its thumbnail, and whether it has
# an interim control (the list then reads the controls of those that have one).
COLUMNS = (Hazard.id, Hazard.state, Hazard.severity, Hazard.description, Hazard.deadline, Hazard.rectifier_id,
           Hazard.planned_at, Hazard.deferral_requested_at, Hazard.zone_id, Zone.code.label("zone_code"),
           Zone.name.label("zone_name"), Hazard.category_id, Category.code.label("category_code"),
           Category.name.label("category_name"), Category.name_en.label("category_name_en"),
           _THUMB.label("thumb_id"), HAS_INTERIM_CONTROL.label("has_interim"))


class CategoryNames(NamedTuple):
    """A category's two names, as Category.display_name reads them."""

    name: str
    name_en: str


class Line(namedtuple("Row", [column.key for column in COLUMNS])):
    """A hazard as a list's line reads it: COLUMNS by name (a tuple: made from its row in one step), and the
    model's rules that read only those."""

    __slots__ = ()

    deferral_pending = Hazard.deferral_pending
    is_overdue = Hazard.is_overdue

    def category_display_name(self, locale: str) -> str:
        """Return the name of the hazard's category in `locale`."""
        return Category.display_name(CategoryNames(self.category_name, self.category_name_en), locale)


def read_lines(page: Select) -> list[Line]:
    """Read a page of hazards (a SELECT of Hazard with its filters, order and limit) as lines."""
    statement = (page.with_only_columns(*COLUMNS)
                 .join_from(Hazard, Zone, Zone.id == Hazard.zone_id)
                 .join_from(Hazard, Category, Category.id == Hazard.category_id))
    return list(map(Line._make, db.session.execute(statement)))
