"""The export writers: .xlsx read back by openpyxl, CSV read back by the csv module, the download headers."""

import codecs
import csv
import io
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from openpyxl import load_workbook

from server.reports.exports import (
    DATE,
    DATETIME,
    LINK,
    NUMBER,
    Column,
    content_disposition,
    csv_lines,
    csv_response,
    write_xlsx,
    xlsx_chunks,
    xlsx_response,
)

COLUMNS = [Column("序号", 6, NUMBER), Column("隐患描述", 40), Column("发现日期", 12, DATE),
           Column("复查时间", 16, DATETIME), Column("整改前照片", 40, LINK)]
ROWS = [
    # 2026-03-01 17:30 UTC is 2026-03-02 01:30 at the school (Asia/Shanghai, UTC+8): the local day counts.
    (1, "灭火器压力不足，“红区”", date(2026, 3, 1), datetime(2026, 3, 1, 17, 30, tzinfo=UTC),
     "https://school.example/media/1.jpg"),
    (2, "=1+1 不是公式", date(2026, 3, 2), None, None),
]


@pytest.fixture
def ctx(app):
    """Push an app context (the school's time zone comes from the configuration)."""
    with app.app_context():
        yield


def _xlsx_sheet(columns=COLUMNS, rows=ROWS):
    """Write the rows to .xlsx in memory and return the sheet read back."""
    out = io.BytesIO()
    write_xlsx(out, columns, iter(rows), sheet_title="隐患台账")
    out.seek(0)
    return load_workbook(out)["隐患台账"]


def test_xlsx_header_and_rows(ctx):
    sheet = _xlsx_sheet()
    assert [c.value for c in sheet[1]] == ["序号", "隐患描述", "发现日期", "复查时间", "整改前照片"]
    assert sheet.max_row == 3
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold


@pytest.mark.parametrize(("ref", "expected"), [
    ("A2", 1),
    ("B2", "灭火器压力不足，“红区”"),
    ("C2", datetime(2026, 3, 1)),
    ("D2", datetime(2026, 3, 2, 1, 30)),
    ("E2", '=HYPERLINK("https://school.example/media/1.jpg","https://school.example/media/1.jpg")'),
    ("B3", "=1+1 不是公式"),
    ("D3", None),
    ("E3", None),
])
def test_xlsx_values(ctx, ref, expected):
    assert _xlsx_sheet()[ref].value == expected


@pytest.mark.parametrize(("ref", "number_format", "data_type"), [
    ("C2", "yyyy-mm-dd", "d"),
    ("D2", "yyyy-mm-dd hh:mm", "d"),
    ("B3", "General", "s"),
    ("E2", "General", "f"),
])
def test_xlsx_cell_types(ctx, ref, number_format, data_type):
    cell = _xlsx_sheet()[ref]
    assert (cell.number_format, cell.data_type) == (number_format, data_type)


@pytest.mark.parametrize(("letter", "width"), [("A", 6), ("B", 40), ("C", 12), ("E", 40)])
def test_xlsx_column_widths(ctx, letter, width):
    assert _xlsx_sheet().column_dimensions[letter].width == width


def _csv_bytes(rows=ROWS) -> bytes:
    return b"".join(csv_lines(COLUMNS, iter(rows)))


def test_csv_starts_with_bom(ctx):
    assert _csv_bytes().startswith(codecs.BOM_UTF8)


def test_csv_round_trips_chinese(ctx):
    read = list(csv.reader(io.StringIO(_csv_bytes().decode("utf-8-sig"), newline="")))
    assert read == [
        ["序号", "隐患描述", "发现日期", "复查时间", "整改前照片"],
        ["1", "灭火器压力不足，“红区”", "2026-03-01", "2026-03-02 01:30", "https://school.example/media/1.jpg"],
        # A cell Excel would run as a formula is kept as text (OWASP CSV injection).
        ["2", "'=1+1 不是公式", "2026-03-02", "", ""],
    ]


def test_csv_is_lazy(ctx):
    """The CSV pulls rows one at a time: the header goes out before the first row is read."""
    def rows():
        yield ROWS[0]
        raise AssertionError("read too far")

    lines = csv_lines(COLUMNS, rows())
    assert next(lines) == codecs.BOM_UTF8
    assert next(lines).decode().startswith("序号,")


@pytest.mark.parametrize(("filename", "expected"), [
    ("ledger.csv", "attachment; filename=\"ledger.csv\"; filename*=UTF-8''ledger.csv"),
    ("隐患台账-2026.xlsx",
     "attachment; filename=\"____-2026.xlsx\"; "
     "filename*=UTF-8''%E9%9A%90%E6%82%A3%E5%8F%B0%E8%B4%A6-2026.xlsx"),
    ('a"b.csv', "attachment; filename=\"a_b.csv\"; filename*=UTF-8''a%22b.csv"),
])
def test_content_disposition(filename, expected):
    assert content_disposition(filename) == expected


def _serve(app, make_response):
    """Return a test client of an app whose one route answers make_response()."""
    host = Flask(__name__)
    host.config.update(app.config)
    host.add_url_rule("/x", "x", make_response)
    return host.test_client()


def test_xlsx_response(app):
    client = _serve(app, lambda: xlsx_response(COLUMNS, iter(ROWS), "隐患台账.xlsx", "隐患台账"))
    response = client.get("/x")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E9%9A%90%E6%82%A3%E5%8F%B0%E8%B4%A6.xlsx" in disposition
    assert response.is_streamed
    sheet = load_workbook(io.BytesIO(response.data))["隐患台账"]
    assert [r[0] for r in sheet.iter_rows(values_only=True)] == ["序号", 1, 2]


def test_csv_response_streams(app):
    client = _serve(app, lambda: csv_response(COLUMNS, iter(ROWS), "台账.csv"))
    response = client.get("/x")
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.decode("utf-8-sig").splitlines()[0] == "序号,隐患描述,发现日期,复查时间,整改前照片"


def test_xlsx_streams_before_the_rows_are_read(ctx):
    """The .xlsx's first bytes (a zip's first entry) are handed on before the first row is read."""
    def rows():
        yield ROWS[0]
        raise AssertionError("read too far")

    assert next(xlsx_chunks(COLUMNS, rows(), "隐患台账")).startswith(b"PK\x03\x04")


def test_xlsx_sends_its_bytes_while_reading_the_rows(ctx):
    """A long sheet leaves in pieces as its rows are read, the last row read only after bytes were sent."""
    total, read = 20_000, []

    def rows():
        for number in range(1, total + 1):
            read.append(number)
            yield (number, f"第{number}条隐患：灭火器压力不足", date(2026, 3, 1), None,
                   f"https://school.example/media/{number}.jpg")

    sent = []  # how many rows had been read when each piece left
    out = io.BytesIO()
    for chunk in xlsx_chunks(COLUMNS, rows(), "隐患台账"):
        sent.append(len(read))
        out.write(chunk)
    assert sent[0] == 0
    assert sent[1] < total
    assert len(sent) > 3
    sheet = load_workbook(out, read_only=True)["隐患台账"]
    assert [r[0] for r in sheet.iter_rows(min_row=total, values_only=True)] == [total - 1, total]


def test_xlsx_abandoned_half_way_closes_cleanly(ctx):
    """A download stopped half-way (the person cancels) ends its writers without an error left behind."""
    chunks = xlsx_chunks(COLUMNS, iter(ROWS * 10_000), "隐患台账")
    next(chunks)
    next(chunks)
    chunks.close()
