"""The campus risk view: buildings and floors as a grid of zones in their risk colours, the open hazards on
each. Read only; a desk page above the hazards domain (its counts link to the hazard list's filter)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from server.extensions import db
from server.hazards.filters import OPEN, HazardFilter
from server.hazards.models import Hazard
from server.zones.models import Zone


@dataclass(frozen=True)
class Cell:
    """A zone on the grid, its open hazards and the filter that lists them."""

    zone: Zone
    open_hazards: int

    @property
    def filter(self) -> HazardFilter:
        """Return the filter of the zone's open hazards."""
        return HazardFilter(states=(OPEN,), zone_id=self.zone.id)


@dataclass(frozen=True)
class Floor:
    """One floor of a building and its zones, by code."""

    name: str
    cells: list[Cell]


@dataclass(frozen=True)
class Building:
    """One building and its floors, by name."""

    name: str
    floors: list[Floor]


def campus(now: datetime) -> list[Building]:
    """Return the active zones as buildings of floors of cells, each with its open hazards (one GROUP BY)."""
    # Counted by the list's own filter, so a number and the list it links to cannot disagree.
    open_counts = dict(db.session.execute(
        select(Hazard.zone_id, func.count()).where(*HazardFilter(states=(OPEN,)).conditions(now))
        .group_by(Hazard.zone_id)).all())
    zones = db.session.scalars(select(Zone).where(Zone.active.is_(True))
                               .order_by(Zone.building, Zone.floor, Zone.code))
    grid: dict[str, dict[str, list[Cell]]] = {}
    for zone in zones:
        grid.setdefault(zone.building, {}).setdefault(zone.floor, []).append(
            Cell(zone, open_counts.get(zone.id, 0)))
    return [Building(name, [Floor(floor, cells) for floor, cells in floors.items()])
            for name, floors in grid.items()]
