"""A campaign's report as data: its status in words and the .xlsx workbook (openpyxl write-only, two sheets:
the zones and the items), from the same progress figures the desk page shows."""

import tempfile
from collections.abc import Iterator
from datetime import date

from flask import send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from server.campaigns.queries import Progress
from server.hazards.wording import STATE_LABELS
from server.reports.exports import XLSX_MIMETYPE, content_disposition, school_time

PLANNED, ACTIVE, FINISHED, CANCELLED = "planned", "active", "finished", "cancelled"
STATUS_LABELS = {PLANNED: _l("Not started"), ACTIVE: _l("Under way"), FINISHED: _l("Finished"),
                 CANCELLED: _l("Cancelled")}


def status(campaign, today: date) -> str:
    """Return the campaign's status on `today` in words: not started, under way, finished or cancelled."""
    if campaign.cancelled_at is not None:
        key = CANCELLED
    elif today < campaign.starts_on:
        key = PLANNED
    elif today > campaign.ends_on:
        key = FINISHED
    else:
        key = ACTIVE
    return str(STATUS_LABELS[key])


def zone_rows(shown: Progress) -> Iterator[list]:
    """Yield one row per zone: code, name, answered at and by, rounds, failed items, hazards and states."""
    states = {key: str(label) for key, label in STATE_LABELS.items()}  # translated once, not per hazard
    for z in shown.zones:
        yield [z.zone.code, z.zone.name, school_time(z.answered_at), z.answered_by, z.rounds,
               "；".join(z.failed), "；".join(f"#{h} {states[s]}" for h, s in z.hazards)]


def item_rows(shown: Progress, locale: str) -> list[list]:
    """Return one row per item: group, text, pass, fail and n.a. counts."""
    texts = [i.item.texts(locale) for i in shown.items]
    return [[t["group"], t["text"], i.passed, i.failed, i.not_applicable] for t, i in zip(texts, shown.items,
                                                                                       strict=True)]


def _bold(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    cell.data_type = "s"  # a title or header is text, never a formula
    return cell


def xlsx_response(shown: Progress, locale: str):
    """Return the report as an .xlsx download (built in a temporary file, sent from disk).

    The zones are written as they are read, a batch at a time; the workbook's two sheets are why it is not
    streamed as the ledger's one-sheet export is (reports/exports.py writes one sheet).
    """
    book = Workbook(write_only=True)
    sheets = [
        (_("Zones"), [_("Code"), _("Zone name"), _("Answered at"), _("Answered by"), _("Rounds"),
                      _("Failed items"), _("Hazards opened")], zone_rows(shown), (12, 24, 18, 12, 8, 40, 30)),
        (_("Items"), [_("Group"), _("What to check"), _("Passed"), _("Failed"), _("N.a.")],
         item_rows(shown, locale), (12, 40, 8, 8, 8)),
    ]
    for title, headers, rows, widths in sheets:
        sheet = book.create_sheet(title=title[:31])
        # Write-only sheets take widths and panes only before the first row.
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        sheet.freeze_panes = "A3"
        sheet.append([_bold(sheet, shown.campaign.title)])
        sheet.append([_bold(sheet, header) for header in headers])
        for row in rows:
            sheet.append(row)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it once sent
    book.save(spool)
    spool.seek(0)
    response = send_file(spool, mimetype=XLSX_MIMETYPE, max_age=0)
    name = _("special-inspection-%(id)d.xlsx", id=shown.campaign.id)
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "no-store"
    return response
