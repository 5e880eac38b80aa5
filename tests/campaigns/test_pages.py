"""The progress page at district scale (issue 11): a page of zones at a time, not answered first and key areas
first, with the whole campaign's figures and items on every page; the report and the .xlsx keep every zone."""

import io
import re

import pytest
from openpyxl import load_workbook

from tests.campaigns.test_api import all_pass, post_answer
from tests.campaigns.test_desk import answered  # noqa: F401 - a campaign with known answers

# Five zones: (code, key area, answered). The desk's order: not answered first, key areas first among each
# group, then by code.
ZONES = [("A-1", True, True), ("B-1", False, False), ("C-1", True, False), ("D-1", False, True),
         ("E-1", False, False)]


@pytest.fixture
def five(make_zone, make_campaign, login_as, monkeypatch):
    """A campaign over ZONES, two of them answered, and the desk's page size set to two zones."""
    from types import SimpleNamespace

    from server.campaigns import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    zones = {code: make_zone(code=code, name=f"{code}区", key_area=key) for code, key, _ in ZONES}
    campaign = make_campaign(list(zones.values()))
    patrol = login_as("patrol")
    for code, _key, was_answered in ZONES:
        if was_answered:
            response = post_answer(patrol, campaign, zones[code].id, all_pass(campaign.item_ids))
            assert response.status_code == 201
    return SimpleNamespace(campaign=campaign, desk=login_as("supervisor"))


def _rows(html: str) -> list[str]:
    """Return the zone codes of the progress table's rows, in order."""
    table = html.split('class="stack campaign-zones"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row">([A-Z]-1) ', table)


@pytest.mark.parametrize(("page", "codes", "pager"), [
    (1, ["C-1", "B-1"], ["第 1 页，共 3 页", 'rel="next"']),
    (2, ["E-1", "A-1"], ["第 2 页，共 3 页", 'rel="prev"', 'rel="next"']),
    (3, ["D-1"], ["第 3 页，共 3 页", 'rel="prev"']),
])
def test_the_progress_page_shows_a_page_of_zones_not_answered_and_key_areas_first(five, page, codes, pager):
    html = five.desk.get(f"/campaigns/{five.campaign.id}?page={page}").get_data(as_text=True)

    shown = [mark for mark in ("第 1 页，共 3 页", "第 2 页，共 3 页", "第 3 页，共 3 页", 'rel="prev"',
                               'rel="next"') if mark in html]
    assert (_rows(html), shown) == (codes, pager)


@pytest.mark.parametrize("page", ["1", "3", "4", "99", "0", "abc"])
def test_every_page_keeps_the_whole_campaigns_figures_and_items(five, page):
    response = five.desk.get(f"/campaigns/{five.campaign.id}?page={page}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<strong>2</strong> / 5" in html  # zones answered, of the whole campaign
    items = html.split('class="campaign-items"')[1].split("</table>")[0]
    assert items.count("<td>2</td><td>0</td><td>0</td>") == 3  # every item passed in both answers


@pytest.mark.parametrize(("page", "codes", "says_empty"), [
    ("4", [], True),  # past the end: an empty page, as the desk's other lists answer, with a way back
    ("99", [], True),
    ("0", ["C-1", "B-1"], False),  # unreadable or below 1: the first page, as the other lists read it
    ("abc", ["C-1", "B-1"], False),
])
def test_a_page_past_the_end_is_empty_with_a_way_back(five, page, codes, says_empty):
    five.desk.post("/api/v1/session/locale", json={"locale": "en"})  # new words reach the catalog when merged
    html = five.desk.get(f"/campaigns/{five.campaign.id}?page={page}").get_data(as_text=True)

    assert (_rows(html), "No zones on this page." in html,
            f'href="/campaigns/{five.campaign.id}"' in html) == (codes, says_empty, says_empty)


@pytest.mark.parametrize("path", ["/campaigns/{id}/report", "/campaigns/{id}?page=1"])
def test_the_report_lists_every_zone_by_code_the_page_only_its_own(five, path):
    html = five.desk.get(path.format(id=five.campaign.id)).get_data(as_text=True)

    expected = ["A-1", "B-1", "C-1", "D-1", "E-1"] if "report" in path else ["C-1", "B-1"]
    assert _rows(html) == expected


def test_the_xlsx_lists_every_zone_by_code(five):
    response = five.desk.get(f"/campaigns/{five.campaign.id}/report.xlsx")

    book = load_workbook(io.BytesIO(response.data), read_only=True)
    codes = [row[0] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)]
    assert codes == ["A-1", "B-1", "C-1", "D-1", "E-1"]


def test_the_report_is_streamed_and_keeps_the_sessions_message_for_once(five):
    # The report is sent as it is rendered: what it takes from the session (a message shown once, the CSRF
    # token of its forms) must still be saved with the headers.
    with five.desk.session_transaction() as session:
        session["_flashes"] = [("success", "已保存")]
    response = five.desk.get(f"/campaigns/{five.campaign.id}/report")
    streamed = response.is_streamed
    first = response.get_data(as_text=True)
    again = five.desk.get(f"/campaigns/{five.campaign.id}/report").get_data(as_text=True)

    assert (streamed, "已保存" in first, "已保存" in again) == (True, True, False)


def test_the_list_of_inspections_counts_zones_without_loading_them(five):
    html = five.desk.get("/campaigns/").get_data(as_text=True)

    assert "2 / 5" in html


@pytest.mark.parametrize(("limit", "zones", "statements"), [(1, 1, 4), (5, 5, 4)])
def test_the_statements_of_a_page_do_not_grow_with_the_zones(app, five, limit, zones, statements):
    # Item counts, the headline, the page of zones, its answers with their failed items: four, any page.
    from sqlalchemy import event

    from server.campaigns import queries
    from server.campaigns.models import Campaign
    from server.extensions import db

    seen = []

    def count(*_statement):
        seen.append(1)

    with app.app_context():
        campaign = db.session.get(Campaign, five.campaign.id)
        campaign.items  # noqa: B018 - loaded before counting
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            shown = queries.progress(campaign, limit=limit)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert (len(shown.zones), len(seen)) == (zones, statements)


@pytest.mark.parametrize("path", ["/campaigns/{id}", "/campaigns/{id}/report"])
def test_the_zones_link_each_hazard_they_opened(app, answered, login_as, path):  # noqa: F811
    from sqlalchemy import select

    from server.campaigns.models import ItemResult
    from server.extensions import db

    with app.app_context():
        opened = sorted(db.session.scalars(select(ItemResult.hazard_id)
                                           .where(ItemResult.hazard_id.is_not(None))))
    html = login_as("supervisor").get(path.format(id=answered.campaign.id)).get_data(as_text=True)

    assert sorted(int(n) for n in re.findall(r'<a href="/hazards/(\d+)">#\1</a>', html)) == opened
