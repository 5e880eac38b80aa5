"""Time a special inspection's progress page against bare SQL that gives the same figures.

Run: .venv/bin/python bench/campaign_progress.py [--hazards 100000] [--runs 5] [--answered 0.9]

On a working copy of the district data set (bench/district.py: at 100,000 hazards 500 zones, 200,000 visits),
a campaign is made through the service over every active zone with the default fire checklist (6 items), then
answers are added in bulk for most zones (--answered, 90 % by default; one in ten of those answered twice, a
later round), each item passing, failing (5 %, linked to one of that zone's hazards) or not applicable (5 %):
- ours: GET /campaigns/<id>, the whole page as a supervisor signed in through the form sees it (routing, the
  queries of server/campaigns/queries.progress, the template: the headline, the items and the first page of
  50 zones), and progress() alone; then the printable report (every zone, streamed) and progress() of every
  zone;
- bare SQL, written by hand on sqlite3: the headline counts, the items' pass / fail / n.a. counts over each
  zone's latest answer (a window function), and for the zones shown (the page's 50 in its order, or every
  zone by code) the latest answer, its rounds, its failed items, the hazards every answer opened and their
  states.
Both sides must give the same figures (checked before timing). Times are medians of interleaved runs (aim:
the page <= 2x the bare SQL).
"""

import argparse
import json
import random
import sqlite3
import statistics
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, ms, ratio  # noqa: E402
from district import PASSWORD, district_app, district_db, working_copy  # noqa: E402

LATEST = """
SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY zone_id ORDER BY received_at DESC, id DESC) AS n
                FROM campaign_answers WHERE campaign_id = :c) WHERE n = 1
"""
HEADLINE = """
SELECT (SELECT count(*) FROM campaign_zones WHERE campaign_id = :c),
       (SELECT count(DISTINCT zone_id) FROM campaign_answers WHERE campaign_id = :c),
       (SELECT count(*) FROM campaign_item_results r JOIN campaign_answers a ON a.id = r.answer_id
        WHERE a.campaign_id = :c AND r.hazard_id IS NOT NULL)
"""
# The desk's order: zones not yet answered first, key areas first, then by code; the report's: by code.
ZONES = """
SELECT z.id, z.code FROM zones z JOIN campaign_zones cz ON cz.zone_id = z.id WHERE cz.campaign_id = :c
ORDER BY {order} LIMIT :limit OFFSET :offset
"""
PAGE_ORDER = ("EXISTS (SELECT 1 FROM campaign_answers a WHERE a.campaign_id = :c AND a.zone_id = z.id), "
              "z.key_area DESC, z.code")
SHOWN = "(SELECT value FROM json_each(:shown))"  # the zones shown, as a JSON list
ANSWERED = f"""
SELECT a.zone_id, a.answered_at, u.display_name
FROM campaign_answers a JOIN users u ON u.id = a.answered_by_id
WHERE a.id IN ({LATEST}) AND a.zone_id IN {SHOWN}
"""  # noqa: S608 - built from the constants above only
ROUNDS = f"""
SELECT zone_id, count(*) FROM campaign_answers WHERE campaign_id = :c AND zone_id IN {SHOWN} GROUP BY zone_id
"""  # noqa: S608
ITEMS = f"""
SELECT i.text, sum(r.result = 'pass'), sum(r.result = 'fail'), sum(r.result = 'na')
FROM campaign_items i LEFT JOIN campaign_item_results r ON r.item_id = i.id AND r.answer_id IN ({LATEST})
WHERE i.campaign_id = :c GROUP BY i.id ORDER BY i.position, i.id
"""  # noqa: S608
FAILED = f"""
SELECT a.zone_id, i.text FROM campaign_item_results r JOIN campaign_answers a ON a.id = r.answer_id
JOIN campaign_items i ON i.id = r.item_id
WHERE r.answer_id IN ({LATEST}) AND r.result = 'fail' AND a.zone_id IN {SHOWN} ORDER BY r.id
"""  # noqa: S608
HAZARDS = f"""
SELECT a.zone_id, h.id, h.state FROM campaign_answers a JOIN campaign_item_results r ON r.answer_id = a.id
JOIN hazards h ON h.id = r.hazard_id WHERE a.campaign_id = :c AND a.zone_id IN {SHOWN} ORDER BY h.id
"""  # noqa: S608
PAGE = 50  # zones on a page of the desk (server/campaigns/views.PAGE_SIZE)


def bare(conn: sqlite3.Connection, campaign_id: int, *, paged: bool) -> dict:
    """Return the progress figures by bare SQL: the headline, per item, and per zone (the desk's first page
    in its order when `paged`, else every zone by code), reading only the zones shown."""
    args = {"c": campaign_id, "limit": PAGE if paged else -1, "offset": 0}
    order = PAGE_ORDER if paged else "z.code"
    zones = {zone_id: [code, None, "", 0, [], []]
             for zone_id, code in conn.execute(ZONES.format(order=order), args)}  # noqa: S608 - constants
    args["shown"] = json.dumps(list(zones))
    for zone_id, at, name in conn.execute(ANSWERED, args):
        zones[zone_id][1:3] = [datetime.fromisoformat(at), name]
    for zone_id, rounds in conn.execute(ROUNDS, args):
        zones[zone_id][3] = rounds if zones[zone_id][1] else 0
    for zone_id, text in conn.execute(FAILED, args):
        zones[zone_id][4].append(text)
    for zone_id, hazard_id, state in conn.execute(HAZARDS, args):
        zones[zone_id][5].append((hazard_id, state))
    items = [(text, passed or 0, failed or 0, na or 0)
             for text, passed, failed, na in conn.execute(ITEMS, args)]
    return {"headline": tuple(conn.execute(HEADLINE, args).fetchone()),
            "zones": [tuple(z) for z in zones.values()], "items": items}


def ours(app, campaign_id: int, *, paged: bool) -> dict:
    """Return the same figures from server/campaigns/queries.progress."""
    from server.campaigns import queries
    from server.campaigns.models import Campaign
    from server.extensions import db

    with app.app_context():
        shown = queries.progress(db.session.get(Campaign, campaign_id), limit=PAGE if paged else None)
        return {"headline": (shown.zones_total, shown.answered, shown.hazards_opened),
                "zones": [(z.zone.code, z.answered_at and z.answered_at.replace(tzinfo=None), z.answered_by,
                           z.rounds, z.failed, z.hazards) for z in shown.zones],
                "items": [(i.item.text, i.passed, i.failed, i.not_applicable) for i in shown.items]}


def make_campaign(app, path: Path, share: float, rng: random.Random) -> tuple[int, str, dict]:
    """Add the campaign tables if the data set predates them, a campaign over every zone, and bulk answers;
    return the campaign's id, a supervisor's username and what was added."""
    from sqlalchemy import select

    from server.auth.models import SUPERVISOR, User, UserRole
    from server.campaigns import services
    from server.campaigns.models import ChecklistTemplate
    from server.extensions import db
    from server.zones.models import Zone

    with app.app_context():
        db.create_all()  # only the tables missing: a data set built before the campaigns' migration
        services.ensure_default_templates()
        boss = db.session.scalar(select(User).join(UserRole).where(UserRole.role == SUPERVISOR)
                                 .order_by(User.id))
        zones = list(db.session.scalars(select(Zone.id).where(Zone.active.is_(True))))
        day = date.today() - timedelta(days=1)
        campaign = services.create_campaign(boss, services.NewCampaign(
            title="国庆节前安全专项检查", starts_on=day, ends_on=day + timedelta(days=30), zone_ids=zones,
            template_id=db.session.scalar(select(ChecklistTemplate.id)
                                          .where(ChecklistTemplate.code == "fire"))),
            now=datetime.now(UTC) - timedelta(days=1))
        db.session.commit()
        campaign_id, username, items = campaign.id, boss.username, [i.id for i in campaign.items]
    conn = sqlite3.connect(path)
    patrols = [u for (u,) in conn.execute("SELECT user_id FROM user_roles WHERE role = 'patrol'")]
    visits = dict(conn.execute("SELECT zone_id, max(id) FROM patrol_visits GROUP BY zone_id"))
    spare = {}
    for zone_id, hazard_id in conn.execute("SELECT zone_id, id FROM hazards ORDER BY id"):
        spare.setdefault(zone_id, []).append(hazard_id)
    answers, results, n = [], [], 0
    start = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=20)
    for zone_id in rng.sample(zones, int(len(zones) * share)):
        for _round in range(2 if rng.random() < 0.1 else 1):
            n += 1
            at = (start + timedelta(seconds=n * 7)).isoformat(" ", timespec="microseconds")
            answers.append((n, campaign_id, zone_id, rng.choice(patrols), at, at, rng.random() < 0.8,
                            visits[zone_id], f"bench-answer-{n:06d}", "0" * 64))
            for item_id in items:
                roll = rng.random()
                failed = roll < 0.05 and spare.get(zone_id)
                result = "fail" if failed else "na" if roll > 0.95 else "pass"
                results.append((n, item_id, result, "", spare[zone_id].pop() if failed else None))
    conn.executemany("INSERT INTO campaign_answers (id, campaign_id, zone_id, answered_by_id, answered_at, "
                     "received_at, on_site, visit_id, client_id, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     answers)
    conn.executemany("INSERT INTO campaign_item_results (answer_id, item_id, result, note, hazard_id) "
                     "VALUES (?,?,?,?,?)", results)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return campaign_id, username, {"zones": len(zones), "answers": len(answers), "results": len(results),
                                   "failed": sum(r[2] == "fail" for r in results)}


def main() -> None:
    """Build or reuse the district, add the campaign, check both sides agree, then time them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--answered", type=float, default=0.9, help="the share of zones answered")
    args = parser.parse_args()
    source, _facts = district_db(args.hazards)
    path = working_copy(source)
    try:
        app = district_app(path, BABEL_DEFAULT_TIMEZONE="Asia/Shanghai", WTF_CSRF_ENABLED=False)
        campaign_id, username, added = make_campaign(app, path, args.answered, random.Random(20261202))  # noqa: S311 - test data
        print(f"district {source.name}: a campaign over {added['zones']} zones, {added['answers']} answers, "
              f"{added['results']} item results, {added['failed']} failed (each linked to a hazard)")
        conn = sqlite3.connect(path)
        for paged in (True, False):
            mine, theirs = ours(app, campaign_id, paged=paged), bare(conn, campaign_id, paged=paged)
            assert mine == theirs, f"the {'page' if paged else 'report'}'s figures and the bare SQL's differ"
        print(f"zones (all, answered, hazards opened) {mine['headline']}; items (pass, fail, n.a.): "
              f"{[i[1:] for i in mine['items']]}; the same figures both ways, the first page and every zone")
        client = app.test_client()
        assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302

        def get(path):
            response = client.get(path, headers={"Accept-Encoding": "identity"})
            assert response.status_code == 200
            return response.get_data()

        def page():
            return get(f"/campaigns/{campaign_id}")

        def report():
            return get(f"/campaigns/{campaign_id}/report")

        print(f"the page: {len(page()) / 1024:.0f} kB (first {PAGE} zones); "
              f"the report: {len(report()) / 1024:.0f} kB (every zone)")
        seconds = interleaved({
            "page": page, "signed in": lambda: get("/api/v1/session"),
            "progress": lambda: ours(app, campaign_id, paged=True),
            "bare": lambda: bare(conn, campaign_id, paged=True),
            "report": report, "every zone": lambda: ours(app, campaign_id, paged=False),
            "bare every zone": lambda: bare(conn, campaign_id, paged=False)}, args.runs)
        print(f"page {ms(seconds['page'])}   progress() {ms(seconds['progress'])}   "
              f"bare SQL {ms(seconds['bare'])}")
        # What every signed-in request costs (session, user, roles: district_pages.py's reference) is no part
        # of the page's work; the ratio is also given without it.
        fixed = statistics.median(seconds["signed in"])
        # Each round's two times were taken a few ms apart: their ratio is the least disturbed by load.
        paired = statistics.median(p / b for p, b in zip(seconds["page"], seconds["bare"], strict=True))
        print(f"ratio page / bare {ratio(seconds['page'], seconds['bare']):.2f} "
              f"(median of each round's ratio {paired:.2f})   "
              f"progress() / bare {ratio(seconds['progress'], seconds['bare']):.2f}   "
              f"page without the fixed cost of a signed-in request ({fixed * 1000:.1f} ms) / bare "
              f"{(statistics.median(seconds['page']) - fixed) / statistics.median(seconds['bare']):.2f}")
        print(f"report {ms(seconds['report'])}   progress() of every zone {ms(seconds['every zone'])}   "
              f"bare SQL {ms(seconds['bare every zone'])}")
        paired = statistics.median(r / b for r, b in zip(seconds["report"], seconds["bare every zone"],
                                                            strict=True))
        print(f"ratio report / bare {ratio(seconds['report'], seconds['bare every zone']):.2f} "
              f"(median of each round's ratio {paired:.2f})   "
              f"every zone / bare {ratio(seconds['every zone'], seconds['bare every zone']):.2f}")
        conn.close()
    finally:
        for leftover in path.parent.glob(f"{path.name}*"):
            leftover.unlink()
        path.parent.rmdir()


if __name__ == "__main__":
    main()
