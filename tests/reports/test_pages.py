"""The dashboard (the desk home of supervisors and admins) and the scorecards as pages: every figure shown is
a link to the hazard list, and that list holds exactly as many hazards as the figure says."""

import csv
import io
import re
from html import unescape

import pytest
from flask_babel import gettext as _
from openpyxl import load_workbook

from server.reports.views import SCORECARD_COLUMNS, SCORECARD_TITLES

FIGURE_LINK = re.compile(r'<a href="(/hazards\?[^"]*|/hazards)">(?:<strong>)?(\d+)(?:</strong>)?')
LISTED = re.compile(r"(\d+) (?:hazards|条隐患)")


def _figure_links(page: str) -> list[tuple[str, int]]:
    return [(unescape(href), int(n)) for href, n in FIGURE_LINK.findall(page)]


def _listed(client, href) -> int:
    page = client.get(href)
    assert page.status_code == 200, href
    status = re.search(r'<p role="status">([^<]*)</p>', page.get_data(as_text=True)).group(1)
    return int(re.search(r"\d+", status).group(0))


@pytest.mark.parametrize(("query", "at_least"), [
    # Nothing of the story was found in the periods of today: no breakdown rows.
    ("", 34), ("?period=month", 34), ("?period=term", 34), ("?period=year", 34),
    ("?period=range&from=2026-03-01&to=2026-03-11", 34 + 4 * (2 + 2 + 2 + 2 + 4 + 2)),
])
def test_every_dashboard_figure_links_to_a_list_of_that_many(app, story, sign_in, query, at_least):
    client = sign_in(story.supervisor)
    page = client.get("/desk" + query).get_data(as_text=True)
    links = _figure_links(page)
    # 4 headline, 7 rates and days, 24 trend (one "of" link shared), 4 per breakdown row.
    assert len(links) >= at_least
    for href, shown in set(links):
        assert _listed(client, href) == shown, href


def test_the_range_dashboard_shows_the_known_figures(app, story, sign_in):
    client = sign_in(story.supervisor)
    page = client.get("/desk?period=range&from=2026-03-01&to=2026-03-11").get_data(as_text=True)
    assert "56%" in page and "80%" in page  # 5 of 9 fixed, 4 of 5 on time
    assert "3.8" in page and "6.0" in page  # mean and 90th percentile days to close
    assert 'role="img"' in page and "<svg" in page and "<table" in page


@pytest.mark.parametrize(("roles", "dashboard"), [(("supervisor",), True), (("admin",), True),
                                                  (("rectifier",), False), (("patrol",), False)])
def test_the_desk_home_is_the_dashboard_for_supervisors_and_admins(app, login_as, roles, dashboard):
    page = login_as(*roles).get("/desk").get_data(as_text=True)
    assert ('id="h-trend"' in page) is dashboard
    assert 'class="tiles"' in page  # everyone keeps the doors


@pytest.mark.parametrize("query", ["?period=decade", "?period=range", "?period=range&from=x&to=2026-01-01",
                                   "?period=range&from=2026-02-01&to=2026-01-01"])
def test_a_bad_period_is_a_bad_request(app, login_as, query):
    assert login_as("supervisor").get("/desk" + query).status_code == 400


@pytest.mark.parametrize("kind", ["rectifier", "department", "contractor"])
def test_every_scorecard_figure_links_to_a_list_of_that_many(app, story, sign_in, kind):
    client = sign_in(story.supervisor)
    for query in (f"?kind={kind}&period=term", f"?kind={kind}&month=2026-03"):
        page = client.get("/reports/scorecards" + query)
        assert page.status_code == 200
        for href, shown in set(_figure_links(page.get_data(as_text=True))):
            assert _listed(client, href) == shown, href


@pytest.mark.parametrize(("query", "status"), [("?kind=people", 400), ("?month=2026-13", 400),
                                               ("?month=2999-01", 400), ("?period=week", 200)])
def test_scorecard_refusals(app, login_as, query, status):
    assert login_as("supervisor").get("/reports/scorecards" + query).status_code == status


@pytest.mark.parametrize("roles", [("rectifier",), ("patrol",)])
def test_scorecards_are_for_supervisors_and_admins(app, login_as, roles):
    assert login_as(*roles).get("/reports/scorecards").status_code == 403


def test_scorecard_exports(app, story, sign_in):
    client = sign_in(story.supervisor)
    response = client.get("/reports/scorecards.csv?kind=contractor&month=2026-03")
    assert response.status_code == 200
    text = response.get_data()
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    with app.test_request_context():
        assert rows[0] == [str(SCORECARD_TITLES["contractor"]), *map(str, SCORECARD_COLUMNS.values()),
                           _("Mean days to fix")]
    assert ["物业公司", "3", "2", "1", "1", "0", "0", "4.5"] in rows
    response = client.get("/reports/scorecards.xlsx?kind=rectifier&month=2026-03")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # Overdue now, by today's clock: the reopened one's deadline (16 March 2026) has passed too.
    assert ["张师傅", 4, 2, 2, 0, 1, 2, 5] in values


def _zone_rows(page: str) -> list[str]:
    table = page.split('id="h-zone"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row">([^<]*)</th>', table)


def test_a_breakdown_shows_its_first_rows_and_the_rest_on_asking(app, login_as, make_hazard, make_zone,
                                                                  make_user):
    """A district's 500 zones made the dashboard 282 kB: each breakdown shows the ten with the most found,
    and says how many there are; "show all" shows that one breakdown whole, the period kept."""
    reporter = make_user(roles=("patrol",))
    for n in range(12):
        zone = make_zone(code=f"Z-{n:02d}", name=f"区{n:02d}")
        for _copy in range(2 if n < 3 else 1):  # three zones with two hazards come first
            make_hazard(zone=zone, reporter=reporter)
    client = login_as("supervisor")
    with client.session_transaction() as session:
        session["locale"] = "en"
    page = client.get("/desk?period=month").get_data(as_text=True)
    rows = _zone_rows(page)
    assert len(rows) == 10 and rows[:3] == ["Z-00 · 区00", "Z-01 · 区01", "Z-02 · 区02"]
    assert "The 10 with the most hazards found, of 12." in page
    more = unescape(re.search(r'<a href="([^"]*)">Show all 12</a>', page).group(1))
    assert more == "/desk?period=month&all=zone#h-zone"

    whole = client.get(more.split("#")[0]).get_data(as_text=True)
    assert len(_zone_rows(whole)) == 12
    less = unescape(re.search(r'<a href="([^"]*)">Show the first 10 only</a>', whole).group(1))
    assert less == "/desk?period=month#h-zone"
    # The other breakdowns stay as they were: one category, all shown, no link.
    assert whole.count("Show all") == 0 and page.count("Show all") == 1
