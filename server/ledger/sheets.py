"""The ledger as a table: its columns in the order a Chinese school's ledger uses, and one row per hazard.

序号, 隐患编号, 发现日期, 发现人, 责任区（部位）, 类别, 隐患描述, 等级, 整改措施, 整改责任人,
责任部门, 整改期限, 整改完成日期, 复查人, 复查日期, 复查结果, 状态, 逾期天数, then links to the before
and after photos.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from server.extensions import db
from server.hazards import states, wording
from server.hazards.models import Category
from server.ledger.queries import LedgerEntry
from server.reports.exports import DATE, LINK, NUMBER, Column
from server.schooltime import local_date
from server.zones.models import Zone

# The ledger's words for the states (状态): a report nobody has started on is 未整改.
STATUS_LABELS = {**wording.STATE_LABELS, states.REPORTED: _l("Not rectified")}
RECHECK_LABELS = {states.PASS: _l("Passed"), states.FAIL: _l("Failed")}

# (header, width in characters, kind): the header is translated when the sheet is made.
_COLUMNS = (
    (_l("No."), 6, NUMBER),
    (_l("Hazard number"), 10, NUMBER),
    (_l("Date found"), 12, DATE),
    (_l("Found by"), 10, "text"),
    (_l("Zone (location)"), 24, "text"),
    (_l("Category"), 12, "text"),
    (_l("Description"), 40, "text"),
    (_l("Level"), 8, "text"),
    (_l("Rectification measures"), 32, "text"),
    (_l("Responsible for rectification"), 12, "text"),
    (_l("Responsible department"), 14, "text"),
    (_l("Deadline"), 12, DATE),
    (_l("Date rectified"), 12, DATE),
    (_l("Rechecked by"), 10, "text"),
    (_l("Recheck date"), 12, DATE),
    (_l("Recheck result"), 10, "text"),
    (_l("Status"), 10, "text"),
    (_l("Days overdue"), 8, NUMBER),
    (_l("Photo before"), 36, LINK),
    (_l("Photo after"), 36, LINK),
)


def ledger_columns() -> list[Column]:
    """Return the ledger's columns, headers in the user's language."""
    return [Column(str(header), width, kind) for header, width, kind in _COLUMNS]


def zone_place(zone: Zone) -> str:
    """Return a zone as the ledger names it: its name, then its building and floor (部位)."""
    return place(zone.name, zone.building, zone.floor)


def place(name: str, building: str | None, floor: str | None) -> str:
    """Return a zone's name, building and floor as the ledger writes them: 名称（楼栋 楼层）."""
    where = " ".join(part for part in (building, floor) if part)
    return f"{name}（{where}）" if where else name


def photo_url(photo_id: int | None) -> str | None:
    """Return the absolute URL of a photo at the app's public address, or None."""
    if photo_id is None:
        return None
    return current_app.config["PUBLIC_BASE_URL"] + url_for("api.photo", photo_id=photo_id)


def ledger_rows(entries: Iterable[LedgerEntry], now: datetime, locale: str) -> Iterator[tuple]:
    """Yield one ledger row per entry, numbered from 1, values in the columns' order."""
    # The words, translated once per export rather than once per row (a sixth of the time at 10,000 rows).
    severities = {key: str(label) for key, label in wording.SEVERITY_LABELS.items()}
    statuses = {key: str(label) for key, label in STATUS_LABELS.items()}
    results = {key: str(label) for key, label in RECHECK_LABELS.items()}
    on_the_spot = str(_l("Fixed on the spot"))
    # Each category's name in the user's language, read once (a handful of categories, not one per row).
    categories = {category.id: category.display_name(locale)
                  for category in db.session.scalars(select(Category))}
    for number, entry in enumerate(entries, 1):
        hazard, recheck = entry.hazard, entry.recheck
        measures = entry.measures or ""
        if hazard.fixed_on_the_spot and not measures:
            measures = on_the_spot
        # A report nobody was given has no one responsible yet.
        rectifier = hazard.rectifier if hazard.state != states.REPORTED else None
        # The zone's department answers for it (谁主管、谁负责); a zone with none: the rectifier's own.
        department = hazard.zone_department or ((hazard.rectifier_department or "") if rectifier else "")
        yield (
            number,
            hazard.id,
            local_date(hazard.device_reported_at),
            hazard.reporter,
            place(hazard.zone_name, hazard.building, hazard.floor),
            categories[hazard.category_id],
            hazard.description,
            severities[hazard.severity],
            measures,
            rectifier or "",
            department,
            local_date(hazard.deadline) if hazard.deadline else None,
            local_date(entry.rectified_at) if entry.rectified_at else None,
            recheck.actor if recheck else "",
            local_date(recheck.at) if recheck else None,
            results[recheck.action] if recheck else "",
            statuses[hazard.state],
            entry.days_overdue(now),
            photo_url(entry.before),
            photo_url(entry.after),
        )
