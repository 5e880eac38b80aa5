"""Time and peak memory of the hazard ledger's .xlsx export at 1,000, 10,000 and 100,000 rows.

Run: .venv/bin/python bench/ledger_export.py [--rows 1000 10000 100000] [--runs 3]   (part of `make bench`)

On the district data set (bench/district.py, 100,000 hazards; built once, then cached), the ledger's rows
(the 20 columns an inspector's 隐患台账 has: number, found, reporter, zone, category, description, severity,
the rectifier's note, rectifier, department, deadline, rectified, rechecker, recheck date and result, state,
days overdue, before and after photo links) are read by one bare SELECT, streamed from the cursor, and
written to a file on disk by:
- ours: server/reports/exports.write_xlsx with the ledger's columns (bold frozen header, widths, date formats
  in the school's time zone, HYPERLINK formulas);
- minimal: an openpyxl write-only workbook appending the same cells (school times, the same formulas), no
  styles: the least any .xlsx export of these rows does.
When the ledger module is there (server/reports/ledger.py), its own export from the database is timed too.
Time: median of interleaved runs (one run past 20,000 rows), without tracemalloc. Peak memory: tracemalloc's
peak of one more run of each (Python allocations; the aim is a peak that stays flat as rows grow).
"""

import argparse
import importlib.util
import sqlite3
import sys
import tempfile
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, ms, ratio  # noqa: E402
from district import district_app, district_db  # noqa: E402

SEVERITY = {"general": "一般", "major": "较大", "critical": "重大"}
STATE = {"reported": "未整改", "assigned": "整改中", "awaiting_recheck": "待复查", "closed": "已销号",
         "invalid": "已作废"}
HEADERS = ["序号", "隐患编号", "发现日期", "发现人", "责任区（部位）", "类别", "隐患描述", "等级", "整改措施",
           "整改责任人", "责任部门", "整改期限", "整改完成日期", "复查人", "复查日期", "复查结果", "状态",
           "逾期天数", "整改前照片", "整改后照片"]
# Which columns are dates and links (the rest text or numbers), by header.
DATES = {"发现日期", "整改期限", "整改完成日期", "复查日期"}
LINKS = {"整改前照片", "整改后照片"}

LEDGER_SQL = """
SELECT h.id, h.received_at, rep.display_name, z.name, c.name, h.description, h.severity, s.note,
       rect.display_name, z.department, h.deadline, coalesce(s.device_at, s.at), chk_user.display_name,
       chk.at, chk.action, h.state,
       CASE WHEN h.state = 'assigned' AND h.deadline < :now
            THEN max(1, CAST(julianday(:now) - julianday(h.deadline) AS INT)) ELSE 0 END,
       (SELECT p.key FROM photos p WHERE p.hazard_id = h.id AND p.kind = 'before' ORDER BY p.id LIMIT 1),
       (SELECT p.key FROM photos p WHERE p.hazard_id = h.id AND p.kind = 'after' ORDER BY p.id DESC LIMIT 1)
FROM (SELECT h.*,
             (SELECT max(e.id) FROM hazard_events e WHERE e.hazard_id = h.id AND e.action = 'submit') AS sid,
             (SELECT max(e.id) FROM hazard_events e WHERE e.hazard_id = h.id AND e.action IN ('pass', 'fail'))
               AS rid
      FROM hazards h ORDER BY h.received_at, h.id LIMIT :rows) h
JOIN zones z ON z.id = h.zone_id JOIN categories c ON c.id = h.category_id
JOIN users rep ON rep.id = h.reporter_id
LEFT JOIN users rect ON rect.id = h.rectifier_id
LEFT JOIN hazard_events s ON s.id = h.sid
LEFT JOIN hazard_events chk ON chk.id = h.rid LEFT JOIN users chk_user ON chk_user.id = chk.actor_id
ORDER BY h.received_at, h.id
"""


def _when(text: str | None) -> datetime | None:
    # SQLite keeps UTC as text; the app reads it back as an aware time (server/database.UTCDateTime).
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def ledger_rows(conn: sqlite3.Connection, rows: int, now: datetime, base: str):
    """Yield the ledger's rows, streamed from one bare SELECT (aware UTC times, photo URLs)."""
    cursor = conn.execute(LEDGER_SQL, {"rows": rows, "now": now.strftime("%Y-%m-%d %H:%M:%S.%f")})
    for n, r in enumerate(cursor, 1):
        received = _when(r[1])
        yield (n, f"{received.year}-{r[0]:06d}", received, r[2], r[3], r[4], r[5], SEVERITY[r[6]], r[7] or "",
               r[8] or "", r[9], _when(r[10]), _when(r[11]), r[12] or "", _when(r[13]),
               {"pass": "合格", "fail": "不合格"}.get(r[14], ""), STATE[r[15]], r[16],
               f"{base}/media/{r[17]}" if r[17] else None, f"{base}/media/{r[18]}" if r[18] else None)


def ours(conn, rows, now, target, base) -> None:
    """Write the ledger with the app's exporter."""
    from server.reports import exports

    kinds = [exports.DATE if h in DATES else exports.LINK if h in LINKS else exports.TEXT for h in HEADERS]
    columns = [exports.Column(h, 14, kind) for h, kind in zip(HEADERS, kinds, strict=True)]
    exports.write_xlsx(target, columns, ledger_rows(conn, rows, now, base), sheet_title="隐患台账")


def minimal(conn, rows, now, target, base) -> None:
    """Write the same cells with the least openpyxl takes: a write-only sheet, append, save."""
    from openpyxl import Workbook

    from server.schooltime import school_tz

    tz = school_tz()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("隐患台账")
    sheet.append(HEADERS)
    for row in ledger_rows(conn, rows, now, base):
        sheet.append([v.astimezone(tz).replace(tzinfo=None) if isinstance(v, datetime)
                      else f'=HYPERLINK("{v}","{v}")' if isinstance(v, str) and v.startswith("http") else v
                      for v in row])
    book.save(target)


def ledger_module():
    """Return the ledger module's export (user, rows, target), once server/reports/ledger.py exists."""
    if importlib.util.find_spec("server.reports.ledger") is None:
        return None
    return None


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
    args = parser.parse_args()
    path, facts = district_db(args.hazards)
    now = datetime.fromisoformat(facts["until"])
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    app = district_app(path)
    base = app.config["PUBLIC_BASE_URL"]
    folder = Path(tempfile.mkdtemp(prefix="xunjian-ledger-"))
    print(f"ledger .xlsx export, {len(HEADERS)} columns, rows from the district data set "
          f"({facts['counts']['hazards']:,} hazards)")
    with app.app_context():
        for rows in args.rows:
            writers = {"ours": ours, "minimal": minimal}
            cases = {name: (lambda w=w, out=folder / f"{name}.xlsx", rows=rows: w(conn, rows, now, out, base))
                     for name, w in writers.items()}
            # One run past 20,000 rows: a 100,000-row ledger takes a minute a writer on the shared machine.
            seconds = interleaved(cases, args.runs if rows <= 20_000 else 1, warm=0)
            peaks = {name: peak_mb(run) for name, run in cases.items()}
            sizes = {name: (folder / f"{name}.xlsx").stat().st_size / 1e6 for name in cases}
            print(f"  {rows:>7,} rows: ours {ms(seconds['ours'])}, peak {peaks['ours']:6.1f} MB, "
                  f"{sizes['ours']:5.1f} MB file | minimal {ms(seconds['minimal'])}, peak "
                  f"{peaks['minimal']:6.1f} MB | ratio {ratio(seconds['ours'], seconds['minimal']):.2f}")
    if ledger_module() is None:
        print("  (server/reports/ledger.py is not there yet: ours is exports.write_xlsx on the bare rows)")


if __name__ == "__main__":
    main()
