"""Time and peak memory of the hazard ledger's .xlsx export at 1,000, 10,000 and 100,000 rows.

Run: .venv/bin/python bench/ledger_export.py [--rows 1000 10000 100000] [--runs 3]   (part of `make bench`)

On the district data set (bench/district.py, 100,000 hazards; built once, then cached), the first N rows of
the ledger (隐患台账: 20 columns, oldest found first) written to a file on disk by:
- ours: what the desk's download does, end to end: server/ledger (ledger_entries read in batches,
  ledger_rows) into server/reports/exports.xlsx_chunks (bold frozen header, widths, dates, HYPERLINK links;
  the zip streamed entry by entry), each piece written to the file as it comes; its first piece's time is
  the download's time to first byte;
- writer: exports.write_xlsx alone, fed the same cells from one bare SELECT streamed from its cursor;
- minimal: the same bare rows appended to an openpyxl write-only sheet, no styles: the least any .xlsx
  export of these cells does.
Time: median of interleaved runs (one run past 20,000 rows), without tracemalloc. Peak memory: tracemalloc's
peak of one more run of each (Python allocations; the aim is a peak that stays flat as rows grow).
Then (--ttfb) the desk's own HTTP answers for the whole ledger, /hazards/ledger.csv and .xlsx, asked by a
signed-in admin through the app's test client: the time to the first byte of the body and to its last (both
stream: the CSV line by line, the .xlsx as a zip whose entries carry their sizes after their data).
"""

import argparse
import itertools
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, ms, ratio  # noqa: E402
from district import district_app, district_db  # noqa: E402

SEVERITY = {"general": "一般", "major": "较大", "critical": "重大"}
STATUS = {"reported": "未整改", "assigned": "整改中", "awaiting_recheck": "待复查", "closed": "已销号",
          "invalid": "已作废"}
RESULT = {"pass": "合格", "fail": "不合格"}
HEADERS = ["序号", "隐患编号", "发现日期", "发现人", "责任区（部位）", "类别", "隐患描述", "等级", "整改措施",
           "整改责任人", "责任部门", "整改期限", "整改完成日期", "复查人", "复查日期", "复查结果", "状态",
           "逾期天数", "整改前照片", "整改后照片"]
NUMBERS = {"序号", "隐患编号", "逾期天数"}
DATES = {"发现日期", "整改期限", "整改完成日期", "复查日期"}
LINKS = {"整改前照片", "整改后照片"}

LEDGER_SQL = """
SELECT h.id, h.device_reported_at, rep.display_name, z.name, z.building, z.floor, c.name, h.description,
       h.severity, s.note, rect.display_name, z.department, h.deadline, coalesce(s.device_at, s.at),
       chk_user.display_name, chk.at, chk.action, h.state,
       (SELECT p.id FROM photos p WHERE p.hazard_id = h.id AND p.kind = 'before' ORDER BY p.id LIMIT 1),
       (SELECT p.id FROM photos p WHERE p.hazard_id = h.id AND p.kind = 'after' ORDER BY p.id DESC LIMIT 1)
FROM (SELECT h.*,
             (SELECT max(e.id) FROM hazard_events e WHERE e.hazard_id = h.id AND e.action = 'submit') AS sid,
             (SELECT max(e.id) FROM hazard_events e WHERE e.hazard_id = h.id AND e.action IN ('pass', 'fail'))
               AS rid
      FROM hazards h ORDER BY h.device_reported_at, h.id LIMIT :rows) h
JOIN zones z ON z.id = h.zone_id JOIN categories c ON c.id = h.category_id
JOIN users rep ON rep.id = h.reporter_id
LEFT JOIN users rect ON rect.id = h.rectifier_id
LEFT JOIN hazard_events s ON s.id = h.sid
LEFT JOIN hazard_events chk ON chk.id = h.rid LEFT JOIN users chk_user ON chk_user.id = chk.actor_id
ORDER BY h.device_reported_at, h.id
"""


class BareLedger:
    """The ledger's cells from one bare SELECT: school-local dates, Chinese labels, photo URLs."""

    def __init__(self, conn: sqlite3.Connection, now: datetime, offset: timedelta, base: str):
        self.conn, self.now, self.offset, self.base = conn, now, offset, base

    def day(self, text: str | None):
        """Return the school day of a UTC time stored as text (None stays None)."""
        return None if text is None else (datetime.fromisoformat(text) + self.offset).date()

    def rows(self, count: int):
        """Yield the first `count` rows, streamed from the cursor."""
        today = (self.now + self.offset).date()
        cursor = self.conn.execute(LEDGER_SQL, {"rows": count})
        for n, r in enumerate(cursor, 1):
            deadline, rectified = self.day(r[12]), self.day(r[13])
            late = (rectified - deadline).days if rectified and deadline else (
                (today - deadline).days if r[17] == "assigned" and deadline and deadline < today else 0)
            place = " ".join(p for p in (r[4], r[5]) if p)
            yield (n, r[0], self.day(r[1]), r[2], f"{r[3]}（{place}）", r[6], r[7], SEVERITY[r[8]],
                   r[9] or "", r[10] or "", r[11], deadline, rectified, r[14] or "", self.day(r[15]),
                   RESULT.get(r[16], ""), STATUS[r[17]], max(0, late), self.photo(r[18]), self.photo(r[19]))

    def photo(self, photo_id: int | None) -> str | None:
        """Return a photo's URL as the ledger links it."""
        return None if photo_id is None else f"{self.base}/api/v1/photos/{photo_id}"


# The seconds to the first piece of each of ours' runs, by row count (its time to first byte).
FIRST_PIECE: dict[int, list[float]] = {}


def ours(bare: BareLedger, rows: int, target: Path) -> None:
    """Write the first rows of the ledger as the desk's download does (server/ledger, exports.xlsx_chunks)."""
    from server.auth.models import User
    from server.extensions import db
    from server.hazards.filters import HazardFilter
    from server.ledger.queries import ledger_entries
    from server.ledger.sheets import ledger_columns, ledger_rows
    from server.reports.exports import xlsx_chunks

    started = time.perf_counter()
    admin = db.session.scalar(db.select(User).where(User.username == "admin"))
    entries = ledger_rows(ledger_entries(admin, HazardFilter(), bare.now), bare.now, "zh")
    with open(target, "wb") as out:
        for piece in xlsx_chunks(ledger_columns(), itertools.islice(entries, rows), sheet_title="隐患台账"):
            if out.tell() == 0:
                FIRST_PIECE.setdefault(rows, []).append(time.perf_counter() - started)
            out.write(piece)
    entries.close()
    db.session.rollback()
    db.session.expunge_all()  # a download is one request: its objects go with it


def writer(bare: BareLedger, rows: int, target: Path) -> None:
    """Write the bare rows with the app's exporter."""
    from server.reports import exports

    kinds = [exports.NUMBER if h in NUMBERS else exports.DATE if h in DATES else exports.LINK if h in LINKS
             else exports.TEXT for h in HEADERS]
    columns = [exports.Column(h, 14, kind) for h, kind in zip(HEADERS, kinds, strict=True)]
    exports.write_xlsx(target, columns, bare.rows(rows), sheet_title="隐患台账")


def minimal(bare: BareLedger, rows: int, target: Path) -> None:
    """Write the same cells with the least openpyxl takes: a write-only sheet, append, save."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("隐患台账")
    sheet.append(HEADERS)
    for row in bare.rows(rows):
        sheet.append([*row[:-2], *(f'=HYPERLINK("{url}","{url}")' if url else None for url in row[-2:])])
    book.save(target)


WRITERS = {"ours": ours, "writer": writer, "minimal": minimal}


def first_and_last_byte(client, url: str) -> tuple[float, float, int, int]:
    """Return the seconds to the first and to the last byte of a GET's body, its size and the status."""
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    pieces = iter(response.response)
    size = len(next(pieces))
    first = time.perf_counter() - started
    size += sum(len(piece) for piece in pieces)
    last = time.perf_counter() - started
    response.close()
    return first, last, size, response.status_code


def time_to_first_byte(path: Path, password: str) -> dict[str, tuple[float, float, int]]:
    """Return the first and last byte times and the size of the whole ledger's CSV and .xlsx downloads."""
    app = district_app(path, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    signed = client.post("/login", data={"username": "admin", "password": password})
    assert signed.status_code == 302, "the admin could not sign in"
    seconds = {}
    for fmt in ("csv", "xlsx"):
        *seconds[fmt], status = first_and_last_byte(client, f"/hazards/ledger.{fmt}")
        assert status == 200, f"the ledger's .{fmt} answered {status}"
    return seconds


def peak_mb(run) -> float:
    """Return tracemalloc's peak, in MB, over one call of `run`."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main() -> None:
    """Time and measure each writer at each size; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--hazards", type=int, default=100_000, help="the district data set to read")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--writers", nargs="+", choices=list(WRITERS), default=list(WRITERS))
    parser.add_argument("--one-run", action="store_true",
                        help="time and peak from one traced run per writer (tracemalloc slows every writer)")
    parser.add_argument("--ttfb", action="store_true",
                        help="also the time to the first byte of the whole ledger's HTTP answers")
    args = parser.parse_args()
    path, facts = district_db(args.hazards)
    now = datetime.fromisoformat(facts["until"])
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    app = district_app(path)
    folder = Path(tempfile.mkdtemp(prefix="xunjian-ledger-"))
    print(f"ledger .xlsx export, {len(HEADERS)} columns, the first rows of the district data set's ledger "
          f"({facts['counts']['hazards']:,} hazards); time median (min), tracemalloc peak")
    # A request context: the ledger's photo links are url_for's, its headers translated.
    with app.test_request_context():
        from server.schooltime import school_tz

        offset = school_tz().utcoffset(now.replace(tzinfo=None))
        bare = BareLedger(conn, now, offset, app.config["PUBLIC_BASE_URL"])
        for rows in args.rows:
            cases = {name: (lambda w=WRITERS[name], out=folder / f"{name}.xlsx", n=rows: w(bare, n, out))
                     for name in args.writers}
            if args.one_run:
                seconds, peaks = {}, {}
                for name, run in cases.items():
                    started = time.perf_counter()
                    peaks[name] = peak_mb(run)
                    seconds[name] = [time.perf_counter() - started]
            else:
                # One run past 20,000 rows: a 100,000-row ledger takes minutes a writer on the shared machine.
                seconds = interleaved(cases, args.runs if rows <= 20_000 else 1, warm=0)
                peaks = {name: peak_mb(run) for name, run in cases.items()}
            for name in cases:
                size = (folder / f"{name}.xlsx").stat().st_size / 1e6
                against = f"; / minimal: time {ratio(seconds[name], seconds['minimal']):.2f}" \
                    if "minimal" in seconds else ""
                # The others write a whole file: their first byte could leave only once it is done.
                first = statistics.median(FIRST_PIECE[rows]) if name == "ours" else statistics.median(
                    seconds[name])
                print(f"  {rows:>7,} rows, {name:7}: {ms(seconds[name])}, first byte {first:6.3f} s, "
                      f"peak {peaks[name]:6.1f} MB, file {size:5.1f} MB{against}", flush=True)
    if args.ttfb:
        for fmt, (first, last, size) in time_to_first_byte(path, facts["password"]).items():
            print(f"  the whole ledger ({facts['counts']['hazards']:,} rows) as .{fmt} over HTTP: first byte "
                  f"after {first:.2f} s, last after {last:.1f} s, {size / 1e6:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
