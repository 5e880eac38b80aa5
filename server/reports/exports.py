"""Spreadsheet exports: .xlsx and CSV written row by row from an iterator, and the responses that send them.

One small API for every export (the hazard ledger, the scorecards): declare the columns once, hand over an
iterator of rows (tuples in column order), and get a file or a response. Nothing holds the whole table,
and a download starts at once: the CSV is yielded line by line, and the .xlsx is a zip written entry by entry
as it goes (the sheet first, its rows deflated as openpyxl's write-only sheet writes them, each entry's sizes
in a data descriptor after it, the directory last), so memory stays flat however many rows there are and the
first bytes leave before the first row is read (bench/ledger_export.py measures both).

    columns = [Column(_("序号"), 6, NUMBER), Column(_("发现日期"), 12, DATE), Column(_("照片"), 40, LINK)]
    return xlsx_response(columns, rows(), _("隐患台账") + "-2026.xlsx", sheet_title=_("隐患台账"))

Times: an aware datetime (the database keeps UTC) is written in the school's time zone, without a zone,
since Excel has no zones and the reader thinks in the school's hours; a date stays a date.
"""

import codecs
import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zipfile import ZIP_DEFLATED, ZipFile

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

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


# The .xlsx stream hands on its bytes in pieces of about this size (a row is a few hundred bytes deflated).
XLSX_CHUNK = 64 * 1024


def write_xlsx(target, columns: Sequence[Column], rows: Iterable[Sequence[Any]], sheet_title: str = "Sheet1"):
    """Write `rows` under a bold, frozen header row into `target` (a path or a binary file) as .xlsx."""
    if isinstance(target, str | Path):
        with open(target, "wb") as out:
            write_xlsx(out, columns, rows, sheet_title)
        return
    for chunk in xlsx_chunks(columns, rows, sheet_title):
        target.write(chunk)


class _Pending:
    """A write-only file whose bytes wait until taken: what the zip writes between two rows."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        """Keep `data` until it is taken."""
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self):
        """Nothing to flush: the bytes wait in memory until taken."""

    def take(self) -> bytes:
        """Return the bytes written since the last take, and forget them."""
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


class _SheetAlreadyWritten(ExcelWriter):
    """openpyxl's writer of a workbook's other parts (styles, workbook, relations, manifest) around a sheet
    that xlsx_chunks has already streamed into the archive (its writer's write_worksheet, less the copy)."""

    def write_worksheet(self, ws):
        """Record the streamed sheet in the manifest with its relations; its XML is in the archive already."""
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts, ws._drawing.images = ws._charts, ws._images
        ws._rels = ws._writer._rels
        self.manifest.append(ws)


def xlsx_chunks(columns: Sequence[Column], rows: Iterable[Sequence[Any]],
                sheet_title: str = "Sheet1") -> Iterator[bytes]:
    """Yield an .xlsx of `rows` under a bold, frozen header row, piece by piece as the rows are read.

    The zip goes to a file that cannot seek, so Python's zipfile writes each entry's sizes in a data
    descriptor after its data (which Excel, WPS and LibreOffice read) and its directory at the end. The sheet
    comes first, its XML written by openpyxl's own write-only writer straight into the zip's deflating entry
    rather than a temporary file; openpyxl then writes the workbook's other parts as it always does. The first
    bytes (the sheet's entry header) are yielded before the first row is read. An entry cannot pass 4 GB
    (ZIP64 is not forced, so that every reader opens the file): millions of rows.
    """
    book = Workbook(write_only=True)
    book.properties.modified = datetime.now(UTC).replace(tzinfo=None)  # as openpyxl's save does
    # Excel refuses a sheet title longer than 31 characters or holding []:*?/\ .
    sheet = book.create_sheet(title="".join(c for c in sheet_title if c not in "[]:*?/\\")[:31] or "Sheet1")
    sheet._id = 1  # noqa: SLF001 - the sheet's part name (xl/worksheets/sheet1.xml), as openpyxl's writer sets
    # Write-only sheets take widths and panes only before the first row.
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    pending = _Pending()
    archive = ZipFile(pending, "w", ZIP_DEFLATED)
    part = archive.open(sheet.path[1:], "w")
    # openpyxl's sheet writer, given the zip's entry instead of the temporary file it would make.
    sheet._writer = WorksheetWriter(sheet, out=part)  # noqa: SLF001
    sheet._writer.write_top()  # noqa: SLF001
    try:
        yield pending.take()
        bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        sheet.append([_styled(sheet, column.header, font=bold, alignment=wrap) for column in columns])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, column, value)
                          for column, value in zip(columns, row, strict=True)])
            if pending.size >= XLSX_CHUNK:
                yield pending.take()
    finally:
        # Also when the download is abandoned half-way: openpyxl's writer ends its XML before the zip's entry
        # closes (left to the garbage collector, it would write into a closed entry).
        sheet.close()
        part.close()
    _SheetAlreadyWritten(book, archive).save()
    yield pending.take()


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
    """Return a streamed .xlsx download of `rows` named `filename`: its first bytes leave at once."""
    # stream_with_context keeps the request (database session, locale) alive while the rows are read; a
    # proxy that cuts a silent answer after a minute sees bytes from the start.
    response = Response(stream_with_context(xlsx_chunks(columns, rows, sheet_title)), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response
