"""The demo's special inspections: one under way today that the field app shows, one finished last month."""

from sqlalchemy import select

from server import demo
from server.campaigns import demo as campaign_demo
from server.extensions import db
from tests.conftest import app_on_copy


def test_the_demo_has_one_inspection_under_way_and_one_finished_with_a_failed_item(tmp_path, schema_database):
    from server.campaigns import queries
    from server.campaigns.demo import FINISHED, UNDER_WAY
    from server.campaigns.models import Campaign

    with app_on_copy(tmp_path, schema_database) as app:
        with app.app_context():
            demo.seed(history=False)  # the people and zones (the term's history is left out: minutes)
            campaign_demo.seed()
            campaign_demo.seed()  # again: nothing more
            campaigns = {c.title: c for c in db.session.scalars(select(Campaign))}
            under_way = sorted(z.code for z in campaigns[UNDER_WAY].zones)
            finished = queries.progress(campaigns[FINISHED])
            figures = (finished.answered, finished.zones_total, finished.hazards_opened,
                       [z.failed for z in finished.zones if z.failed])
        client = app.test_client()
        client.post("/login", data={"username": "li", "password": demo.DEMO_PASSWORD})
        active = client.get("/api/v1/campaigns/active").get_json()["campaigns"]

    assert sorted(campaigns) == [UNDER_WAY, FINISHED]
    assert under_way == ["JX-1F-E", "JX-1F-W", "ST-GAS", "ST-HALL", "ST-KITCHEN", "ST-STORE"]
    assert figures == (4, 4, 1, [["床铺护栏、梯子牢固"]])
    assert [(c["title"], len(c["items"])) for c in active] == [(UNDER_WAY, 6)]
