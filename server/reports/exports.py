"""Spreadsheet exports: .xlsx and CSV written row by row from an iterator, and the responses that send them.

One small API for every export (the hazard ledger, the scorecards): declare the columns once, hand over an
iterator of rows (tuples in column order), and get a file or a response. Nothing holds the whole table:
openpyxl's write-only mode streams each row into the sheet's XML on disk, and the CSV is yielded line by line,
so memory stays flat however many rows there are (bench/ledger_export.py measures it).

    columns = [Column(_("序号"), 6, NUMBER), Column(_("发现日期"), 12, DATE), Column(_("照片"), 40, LINK)]
    return xlsx_response(columns, rows(), _("隐患台账") + "-2026.xlsx", sheet_title=_("隐患台账"))

Times: an aware datetime (the database keeps UTC) is written in the school's time zone, without a zone,
since Excel has no zones and the reader thinks in the school's hours; a date stays a date.
"""

import codecs
import csv
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from flask import Response, send_file, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from server.schooltime import school_tz

TEXT, NUMBER, DATE, DATETIME, LINK = "text", "number", "date", "datetime", "link"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"  # Flask adds "; charset=utf-8"
# The number formats Chinese offices read at a glance (ISO order).
_NUMBER_FORMATS = {DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm"}
# A CSV cell opening with one of these is run as a formula by Excel and WPS (CSV injection, see
# https://owasp.org/www-community/attacks/CSV_Injection); a leading apostrophe keeps it text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of an export: its header (already translated), its width in characters and its kind."""

    header: str
    width: float = 14
    kind: str = TEXT


def school_time(value: Any) -> Any:
    """Return an aware datetime as a naive one in the school's time zone; any other value unchanged."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(school_tz()).replace(tzinfo=None)
    return value


def write_xlsx(target, columns: Sequence[Column], rows: Iterable[Sequence[Any]], sheet_title: str = "Sheet1"):
    """Write `rows` under a bold, frozen header row into `target` (a path or a binary file) as .xlsx."""
    book = Workbook(write_only=True)
    # Excel refuses a sheet title longer than 31 characters or holding []:*?/\ .
    sheet = book.create_sheet(title="".join(c for c in sheet_title if c not in "[]:*?/\\")[:31] or "Sheet1")
    # Write-only sheets take widths and panes only before the first row.
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    sheet.append([_styled(sheet, column.header, font=bold, alignment=wrap) for column in columns])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, column, value) for column, value in zip(columns, row, strict=True)])
    book.save(target)


def _styled(sheet, value, **style) -> WriteOnlyCell:
    """Return a write-only cell holding `value` as written (never read as a formula), with `style`."""
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    if isinstance(value, str):
        # openpyxl takes any string opening with "=" for a formula; people's text never is one.
        cell.data_type = "s"
    return cell


def _xlsx_cell(sheet, column: Column, value: Any):
    """Return what the sheet should hold for `value` in `column`."""
    if value is None:
        return None
    if column.kind in _NUMBER_FORMATS:
        return _styled(sheet, school_time(value), number_format=_NUMBER_FORMATS[column.kind])
    if column.kind == LINK:
        # A HYPERLINK formula, not a cell hyperlink: openpyxl keeps every cell hyperlink in memory until the
        # sheet is closed (about 2.4 kB each: 480 MB for 100,000 rows of two photos); a formula costs nothing.
        # Excel, WPS and LibreOffice compute it on opening (openpyxl marks the book fullCalcOnLoad).
        url = str(value).replace('"', '""')
        return WriteOnlyCell(sheet, value=f'=HYPERLINK("{url}","{url}")')
    if isinstance(value, str) and value.startswith("="):
        return _styled(sheet, value)
    return value


def csv_lines(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """Yield the CSV as UTF-8 with a BOM (so Excel reads Chinese): the BOM, the header, one line a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield codecs.BOM_UTF8
    lines = ([_csv_value(column, value) for column, value in zip(columns, row, strict=True)] for row in rows)
    for line in itertools.chain([[column.header for column in columns]], lines):
        writer.writerow(line)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def _csv_value(column: Column, value: Any) -> Any:
    """Return the text a CSV cell holds for `value` in `column`."""
    if value is None:
        return ""
    value = school_time(value)
    if column.kind in _NUMBER_FORMATS and isinstance(value, date):
        return value.strftime("%Y-%m-%d %H:%M" if column.kind == DATETIME else "%Y-%m-%d")
    if isinstance(value, str) and column.kind != LINK and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """Return a Content-Disposition header naming `filename`, Chinese included (RFC 6266 / RFC 5987)."""
    # Old clients read the ASCII `filename`; every current browser prefers `filename*`, which carries UTF-8.
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def csv_response(columns: Sequence[Column], rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """Return a streamed CSV download of `rows` named `filename`."""
    # stream_with_context keeps the request (database session, locale) alive while the rows are read.
    response = Response(stream_with_context(csv_lines(columns, rows)), mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def xlsx_response(columns: Sequence[Column], rows: Iterable[Sequence[Any]], filename: str,
                  sheet_title: str = "Sheet1") -> Response:
    """Return an .xlsx download of `rows` named `filename`, built in a temporary file and sent from disk."""
    # An .xlsx is a zip whose directory comes last, so it is finished before it is sent; the temporary file
    # keeps it off the heap, and is deleted when the response closes it.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it once sent
    write_xlsx(spool, columns, rows, sheet_title)
    spool.seek(0)
    response = send_file(spool, mimetype=XLSX_MIMETYPE, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response
