"""Bulk import of zones and users from a spreadsheet.

parse_file() turns the bytes of an .xlsx or .csv file into rows and per-row errors: no database, no HTTP.
import_rows() then writes the rows through the domains' services, all or nothing. Row numbers are those
Excel shows (the header is row 1), so a person can find the row to fix.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from server.auth import services as user_services
from server.auth.models import ADMIN, PATROL, RECTIFIER, SUPERVISOR
from server.errors import BadUpload, ServiceError, TooLarge, ValidationFailed
from server.extensions import db
from server.zones import services as zone_services
from server.zones.models import CUSTOM, DAILY, WEEKLY

ZONES = "zones"
USERS = "users"
KINDS = (ZONES, USERS)


@dataclass(frozen=True)
class Column:
    """A column the import understands: its field, its template headers, the other headers accepted."""

    field: str
    zh: str
    en: str
    note: object  # a lazy string for the template's notes sheet
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS = {
    ZONES: (
        Column("code", "编号", "code", _l("Required. Letters, digits, dots, dashes; unique, e.g. JX-1F-E."),
               ("责任区编号", "区域编号", "代码", "zone code"), required=True),
        Column("name", "名称", "name", _l("Required. The zone's name, e.g. 教学楼一楼东走廊."),
               ("责任区名称", "责任区", "区域名称", "zone name"), required=True),
        Column("building", "楼宇", "building", _l("Optional."), ("楼栋", "建筑", "建筑物")),
        Column("floor", "楼层", "floor", _l("Optional, e.g. 1F or B1."), ()),
        Column("department", "部门", "department", _l("Optional."), ("责任部门", "所属部门")),
        Column("responsible", "责任人", "responsible",
               _l("Optional. The username or the name of an active user."), ("负责人", "responsible person")),
        Column("key_area", "重点区域", "key_area", _l("是/否, yes/no or 1/0. Empty means no."),
               ("重点", "key area")),
        Column("frequency", "巡查频次", "frequency",
               _l("每日/每周, daily/weekly, or a number of days. Empty means weekly."),
               ("频次", "巡查频率", "patrol frequency")),
    ),
    USERS: (
        Column("username", "用户名", "username", _l("Required, unique; used to sign in."),
               ("账号", "帐号", "登录名", "user name", "login"), required=True),
        Column("name", "姓名", "name", _l("Required. The name shown in the app."),
               ("名字", "display name"), required=True),
        Column("department", "部门", "department", _l("Optional."), ("所属部门", "单位")),
        Column("phone", "电话", "phone", _l("Optional."), ("手机", "手机号", "联系电话", "mobile")),
        Column("roles", "角色", "roles",
               _l("Required. 巡查员, 整改人, 安全主管, 管理员 (or patrol, rectifier, supervisor, admin), "
                  "several separated by commas or 、."), ("role",), required=True),
        Column("password", "初始密码", "password", _l("Required, at least 8 characters."),
               ("密码", "initial password"), required=True),
    ),
}

_YES = {"是", "yes", "y", "true", "1", "√", "✓", "重点", "重点区域"}
_NO = {"否", "no", "n", "false", "0", "", "×", "✗", "非重点"}
_FREQUENCY_WORDS = {
    "每日": DAILY, "每天": DAILY, "日": DAILY, "天": DAILY, "daily": DAILY, "day": DAILY,
    "每周": WEEKLY, "周": WEEKLY, "每星期": WEEKLY, "weekly": WEEKLY, "week": WEEKLY,
}
_FREQUENCY_DAYS = re.compile(r"^(?:每|every)?(\d{1,4})(?:天|日|days?|d)?$")
_ROLE_WORDS = {
    "巡查员": PATROL, "巡查": PATROL, "patrol": PATROL,
    "整改人": RECTIFIER, "整改": RECTIFIER, "rectifier": RECTIFIER,
    "安全主管": SUPERVISOR, "主管": SUPERVISOR, "supervisor": SUPERVISOR,
    # The role's earlier name (an office), still written in spreadsheets made before it was renamed.
    "后勤安全办": SUPERVISOR, "后勤": SUPERVISOR, "安全办": SUPERVISOR, "后勤处": SUPERVISOR,
    "管理员": ADMIN, "系统管理员": ADMIN, "admin": ADMIN, "administrator": ADMIN,
}
_ROLE_SEPARATORS = re.compile(r"[,，、;；\s]+")
# Control characters other than tab and line ends never occur in a CSV a person wrote: the file is binary.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_A_SPREADSHEET = _l("This file is not a spreadsheet: it is neither an .xlsx workbook nor CSV text. "
                        "Save it from Excel as .xlsx or CSV and try again.")
_NOT_XLSX = _l("This file is not a valid .xlsx workbook. Open it in Excel, save it as .xlsx (or CSV) and try "
               "again.")
_EMPTY = _l("The file is empty.")
# An .xlsx is a zip: refuse one that unpacks to more than this before parsing it (a "zip bomb").
_MAX_XLSX_UNPACKED = 200 * 1024 * 1024
# How many non-blank rows may stand above the header row (a title, a note) before we give up looking.
_HEADER_SEARCH = 10
# Which field a service's error is about, from the `details` it raises with.
_DETAIL_FIELDS = {
    ZONES: {"code": "code", "name": "name", "frequency": "frequency", "frequency_days": "frequency",
            "responsible": "responsible", "person": "responsible"},
    USERS: {"username": "username", "display_name": "name", "password": "password", "roles": "roles"},
}


@dataclass
class RowError:
    """A problem with one cell: row number as Excel shows it, the column's header, and what is wrong."""

    row: int
    column: str
    message: object


@dataclass
class Row:
    """A row of the file: its number and its values by field (already converted where that can fail)."""

    number: int
    values: dict


@dataclass
class ParsedFile:
    """What a file holds: its rows, the problems found without the database, its headers as written."""

    kind: str
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        """Return the header of a field as the file wrote it (the Chinese header if the file lacks it)."""
        return self.headers.get(name) or _column(self.kind, name).zh


@dataclass
class ImportResult:
    """How many records were created, or why none were."""

    created: int
    errors: list[RowError]


def _column(kind: str, name: str) -> Column:
    return next(c for c in COLUMNS[kind] if c.field == name)


def _norm_header(text: str) -> str:
    # "巡查频次（每日/每周）", "Key Area *" and "key_area" all name the same column.
    text = re.split(r"[(（]", str(text or ""), maxsplit=1)[0]
    return re.sub(r"[\s*_\-:：]+", "", text).lower()


def _header_index(kind: str) -> dict[str, str]:
    index = {}
    for column in COLUMNS[kind]:
        for name in (column.zh, column.en, column.field, *column.aliases):
            index[_norm_header(name)] = column.field
    return index


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps 13800138000 and 3 as floats
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes) -> str:
    # Chinese Excel writes UTF-8 with a BOM ("CSV UTF-8"), or GBK/GB18030 ("CSV"), or UTF-16 ("Unicode text").
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="strict")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise BadUpload(_NOT_A_SPREADSHEET, details={"file": "not_text"}) from exc
    if _BINARY.search(text):
        raise BadUpload(_NOT_A_SPREADSHEET, details={"file": "binary"})
    return text


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count)
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            yield number, [_cell_text(c) for c in cells]
    except csv.Error as exc:
        raise BadUpload(_l("The CSV file could not be read: %(error)s", error=str(exc)),
                        details={"file": "csv"}) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise BadUpload(_NOT_XLSX, details={"file": "xlsx"}) from exc
    if unpacked > _MAX_XLSX_UNPACKED:
        raise TooLarge(_l("This workbook is too large. Split it into smaller files."),
                       details={"file": "unpacked"})
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # Ignore the dimension the file declares: a stray format in column XFD would widen every row.
        sheet.reset_dimensions()
    except Exception as exc:  # openpyxl raises many kinds for a bad zip or bad XML
        raise BadUpload(_NOT_XLSX, details={"file": "xlsx"}) from exc
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, [_cell_text(v) for v in values]
    except Exception as exc:
        raise BadUpload(_NOT_XLSX, details={"file": "xlsx"}) from exc
    finally:
        workbook.close()


def _table(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    name = (filename or "").lower()
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_rows(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadUpload(_l("This is an old .xls workbook or a password-protected one. Save it from Excel as "
                           ".xlsx without a password, or as CSV, and try again."), details={"file": "xls"})
    if name.endswith((".xlsx", ".xlsm")):
        raise BadUpload(_NOT_XLSX, details={"file": "xlsx"})
    if not name.endswith((".csv", ".txt", ".tsv")):
        raise BadUpload(_l("Choose an .xlsx or .csv file."), details={"file": "type"})
    return _csv_rows(data)


def parse_file(data: bytes, filename: str, kind: str, max_rows: int) -> ParsedFile:
    """Read an .xlsx or .csv file of zones or users into rows and per-row errors (no database needed).

    Raises BadUpload (unreadable or empty file), TooLarge (more than max_rows rows) or ValidationFailed
    (the header row lacks a required column or names one twice).
    """
    if kind not in KINDS:
        raise ValueError(kind)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise BadUpload(_EMPTY, details={"file": "empty"})
    parsed = ParsedFile(kind)
    columns: dict[int, str] = {}
    before_header = 0
    for number, cells in _table(data, filename):
        if not any(cells):
            continue
        if not columns:
            # The header is the first row naming a known column: a title row above it is passed over.
            columns = _read_header(parsed, cells)
            before_header += 1
            if not columns and before_header >= _HEADER_SEARCH:
                raise _missing_columns(parsed)
            continue
        values = {name: cells[i] if i < len(cells) else "" for i, name in columns.items()}
        if not any(values.values()):
            continue
        if len(parsed.rows) >= max_rows:
            raise TooLarge(_l("The file has more than %(n)d rows. Import at most %(n)d at a time.",
                              n=max_rows), details={"file": "rows"})
        parsed.rows.append(_convert(parsed, number, values))
    if not columns:
        if before_header:
            raise _missing_columns(parsed)
        raise BadUpload(_EMPTY, details={"file": "empty"})
    if not parsed.rows:
        raise BadUpload(_l("The file has a header row but no rows of data."), details={"file": "no_rows"})
    _find_duplicates(parsed)
    parsed.errors.sort(key=lambda e: (e.row, _field_order(parsed, e.column)))
    return parsed


def _read_header(parsed: ParsedFile, cells: list[str]) -> dict[int, str]:
    index = _header_index(parsed.kind)
    columns: dict[int, str] = {}
    for i, text in enumerate(cells):
        name = index.get(_norm_header(text))
        if name is None:
            continue  # a column we do not use (notes, a sequence number…) is left alone
        if name in parsed.headers:
            raise ValidationFailed(_l("The column %(first)s and the column %(second)s mean the same thing. "
                                      "Keep one of them.", first=parsed.headers[name], second=text),
                                   details={"file": "duplicate_column"})
        columns[i] = name
        parsed.headers[name] = text
    if columns and any(c.required and c.field not in parsed.headers for c in COLUMNS[parsed.kind]):
        raise _missing_columns(parsed)
    return columns


def _missing_columns(parsed: ParsedFile) -> ValidationFailed:
    missing = [c.zh for c in COLUMNS[parsed.kind] if c.required and c.field not in parsed.headers]
    return ValidationFailed(_l("The first row must name the columns; these are missing: %(columns)s. "
                               "Download the template to see them.", columns="、".join(missing)),
                            details={"file": "missing_columns"})


def _convert(parsed: ParsedFile, number: int, values: dict) -> Row:
    def bad(name, message):
        parsed.errors.append(RowError(number, parsed.header(name), message))

    if parsed.kind == ZONES:
        key = values.get("key_area", "").lower()
        if key in _YES:
            values["key_area"] = True
        elif key in _NO:
            values["key_area"] = False
        else:
            bad("key_area", _l("Write 是 or 否 (yes or no), not “%(value)s”.", value=values["key_area"]))
        frequency = parse_frequency(values.get("frequency", ""))
        if frequency is None:
            bad("frequency", _l("Write 每日, 每周 or a number of days, not “%(value)s”.",
                                value=values["frequency"]))
        values["frequency"] = frequency
    else:
        roles, unknown = parse_roles(values.get("roles", ""))
        if unknown:
            bad("roles", _l("Unknown role “%(value)s”. Use 巡查员, 整改人, 安全主管 or 管理员.",
                            value="、".join(unknown)))
        values["roles"] = roles
    return Row(number, values)


def parse_frequency(text: str) -> tuple[str, int | None] | None:
    """Return (frequency, days) for 每日/每周/daily/weekly/a number of days; None if not understood."""
    text = re.sub(r"\s+", "", text or "").lower()
    if not text:
        return WEEKLY, None
    if text in _FREQUENCY_WORDS:
        return _FREQUENCY_WORDS[text], None
    match = _FREQUENCY_DAYS.match(text)
    if not match:
        return None
    days = int(match.group(1))
    if days == 1:
        return DAILY, None
    if days == 7:
        return WEEKLY, None
    return CUSTOM, days  # the service checks the range


def parse_roles(text: str) -> tuple[list[str], list[str]]:
    """Return the role names in a cell like "巡查员、整改人", and the words that are not roles."""
    roles, unknown = [], []
    for word in _ROLE_SEPARATORS.split(text or ""):
        key = word.replace("/", "").replace("／", "").lower()
        if not key:
            continue
        if key in _ROLE_WORDS:
            roles.append(_ROLE_WORDS[key])
        else:
            unknown.append(word)
    return sorted(set(roles)), unknown


def _find_duplicates(parsed: ParsedFile) -> None:
    name, normalize = (("code", zone_services.normalize_code) if parsed.kind == ZONES
                       else ("username", user_services.normalize_username))
    seen: dict[str, int] = {}
    for row in parsed.rows:
        key = normalize(row.values.get(name, ""))
        if not key:
            continue
        if key in seen:
            parsed.errors.append(RowError(row.number, parsed.header(name),
                                          _l("“%(value)s” is also on row %(row)d of this file.",
                                             value=row.values[name], row=seen[key])))
        else:
            seen[key] = row.number


def _field_order(parsed: ParsedFile, header: str) -> int:
    for i, column in enumerate(COLUMNS[parsed.kind]):
        if parsed.header(column.field) == header:
            return i
    return len(COLUMNS[parsed.kind])


def _write_zone(values: dict) -> None:
    responsible = None
    if values.get("responsible"):
        responsible = user_services.resolve_person(values["responsible"])
    frequency, days = values["frequency"]
    zone_services.create_zone(values["code"], values["name"], building=values.get("building", ""),
                              floor=values.get("floor", ""), department=values.get("department", ""),
                              responsible=responsible, key_area=values["key_area"], frequency=frequency,
                              frequency_days=days)


def _write_user(values: dict) -> None:
    user_services.create_user(values["username"], values["name"], values["password"], values["roles"],
                              department=values.get("department", ""), phone=values.get("phone", ""))


def import_rows(parsed: ParsedFile) -> ImportResult:
    """Create every row through the services, or nothing: any error rolls the whole file back.

    Rows that parsed cleanly still go through the services, so one upload reports every problem.
    The caller commits on success.
    """
    write = _write_zone if parsed.kind == ZONES else _write_user
    errors = list(parsed.errors)
    bad_rows = {e.row for e in errors}
    created = 0
    whole_file = db.session.begin_nested()
    try:
        for row in parsed.rows:
            if row.number in bad_rows:
                continue
            try:
                with db.session.begin_nested():  # a failed row leaves nothing behind, not even half a row
                    write(row.values)
                created += 1
            except ServiceError as exc:
                errors.append(RowError(row.number, _error_column(parsed, exc), exc.message))
    except BaseException:
        whole_file.rollback()
        raise
    if errors:
        whole_file.rollback()
        errors.sort(key=lambda e: (e.row, _field_order(parsed, e.column)))
        return ImportResult(0, errors)
    whole_file.commit()
    return ImportResult(created, [])


def _error_column(parsed: ParsedFile, exc: ServiceError) -> str:
    for key in exc.details or {}:
        name = _DETAIL_FIELDS[parsed.kind].get(key)
        if name:
            return parsed.header(name)
    return ""


def template_rows(kind: str, english: bool) -> list[str]:
    """Return the header row of the import template, in Chinese or English."""
    return [c.en if english else c.zh for c in COLUMNS[kind]]


def template_csv(kind: str, english: bool) -> bytes:
    """Return the CSV template: the header row, UTF-8 with a BOM so Excel shows the Chinese."""
    out = io.StringIO()
    csv.writer(out).writerow(template_rows(kind, english))
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str, english: bool) -> bytes:
    """Return the .xlsx template: the header row on the first sheet, what each column takes on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind if english else {ZONES: "责任区", USERS: "用户"}[kind]
    sheet.append(template_rows(kind, english))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 16
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("notes" if english else "说明")
    notes.append([str(_l("Column")), str(_l("What to write"))])
    for column in COLUMNS[kind]:
        notes.append([column.en if english else column.zh, str(column.note)])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 80
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
