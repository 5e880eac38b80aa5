"""The daily pass (`flask daily`) over the district data set: its time, and that a second run the same school
day sends nothing twice (no notice, no 督办 flag, no group-chat alert).

Run: .venv/bin/python bench/daily_pass.py [--hazards 100000] [--db PATH]   (also part of `make bench`)

It works on a throw-away copy of the district database (district.working_copy), brought to the current schema
by the migrations, with one generic JSON webhook taking every event, so the outbox is filled as in production.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.district import district_app, district_db, facts_of, working_copy  # noqa: E402


def tally(app) -> dict[str, int]:
    """Count what the pass makes: deadline notices by kind, 督办 flags, outbox rows."""
    from sqlalchemy import func, select

    from server.extensions import db
    from server.hazards.models import Hazard
    from server.notifications.models import Notification
    from server.webhooks.models import WebhookDelivery

    with app.app_context():
        counts = dict(db.session.execute(select(Notification.kind, func.count()).where(
            Notification.kind.in_(["due_tomorrow", "overdue"])).group_by(Notification.kind)).all())
        return {"due_tomorrow": counts.get("due_tomorrow", 0), "overdue": counts.get("overdue", 0),
                "supervised": db.session.scalar(select(func.count()).select_from(Hazard).where(
                    Hazard.supervised_at.is_not(None))),
                "outbox": db.session.scalar(select(func.count()).select_from(WebhookDelivery))}


def run(app) -> tuple[float, dict[str, int]]:
    """Run `flask daily` once; return its seconds and what it added."""
    before = tally(app)
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["daily"])
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    after = tally(app)
    return seconds, {k: after[k] - before[k] for k in after}


def main() -> None:
    """Build or reuse the district, then run the daily pass twice on a copy of it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="a district database already built (its .json beside it)")
    args = parser.parse_args()
    path, facts = (args.db.resolve(), facts_of(args.db)) if args.db else district_db(args.hazards)
    copy = working_copy(path)
    app = district_app(copy)
    with app.app_context():
        from flask_migrate import upgrade

        from server.extensions import db
        from server.webhooks import services
        from server.webhooks.models import EVENTS

        upgrade()  # a district built before the latest migrations gets them
        services.add_webhook("bench", "json", "https://bot.example/", list(EVENTS))
        db.session.commit()
    print(f"district: {facts['counts']['hazards']} hazards ({path.name})")
    first_seconds, first = run(app)
    print(f"first run  {first_seconds:6.2f} s: {first}")
    second_seconds, second = run(app)
    print(f"second run {second_seconds:6.2f} s: {second}")
    assert second == {"due_tomorrow": 0, "overdue": 0, "supervised": 0, "outbox": 0}, second
    print("the second run the same day added nothing: each notice, flag and alert once")
    for leftover in copy.parent.glob(f"{copy.name}*"):
        leftover.unlink()
    copy.parent.rmdir()


if __name__ == "__main__":
    main()
