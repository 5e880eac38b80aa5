"""The coverage pages: coverage and its export, the campus risk grid, a zone's history; who sees them."""

import csv
import io
import re

import pytest

from tests.patrols.test_coverage import NOW, world  # noqa: F401 - the fixture with known answers


@pytest.fixture
def boss(app, make_user, sign_in):
    """Return a client signed in as a supervisor who reads English (the Chinese words wait in pending/)."""
    from server.auth.models import User
    from server.extensions import db

    user = make_user(roles=("supervisor",))
    with app.app_context():
        db.session.get(User, user.id).locale = "en"
        db.session.commit()
    return sign_in(user)


@pytest.mark.parametrize(("roles", "status"), [(("supervisor",), 200), (("admin",), 200), (("patrol",), 403),
                                               (("rectifier",), 403)])
@pytest.mark.parametrize("path", ["/patrols/coverage", "/patrols/coverage.csv", "/patrols/risk"])
def test_supervisors_and_admins_only(make_user, sign_in, roles, status, path):
    assert sign_in(make_user(roles=roles)).get(path).status_code == status


def test_the_desk_offers_coverage_to_supervisors(boss):
    assert 'href="/patrols/coverage"' in boss.get("/desk").get_data(as_text=True)


@pytest.mark.parametrize(("period", "heading"), [("today", "Today"), ("week", "This week"),
                                                ("month", "This month")])
def test_coverage_page_for_each_period(world, boss, period, heading):  # noqa: F811
    page = boss.get(f"/patrols/coverage?period={period}")
    assert page.status_code == 200
    assert f"<h1>Patrol coverage · {heading}</h1>" in page.get_data(as_text=True)


def test_an_unknown_period_is_refused_with_a_page(boss):
    page = boss.get("/patrols/coverage?period=decade")
    assert page.status_code == 400
    assert "<h1" in page.get_data(as_text=True)


def test_the_csv_lists_the_due_zones_missed_first(world, boss, monkeypatch):  # noqa: F811
    from server.patrols import views

    monkeypatch.setattr(views, "utcnow", lambda: NOW)
    answer = boss.get("/patrols/coverage.csv?period=week")
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r[0], r[9], r[10]) for r in rows[1:4]] == [("C-MISSED", "Not patrolled", "5"),
                                                         ("F-2330", "Not patrolled", "0"),
                                                         ("E-CUSTOM3", "Not patrolled", "0")]
    assert len(rows) == 1 + 7  # the header and the seven zones due this week


def test_the_risk_grid_shows_each_zone_with_its_level_in_words_and_its_open_hazards(
        app, boss, make_zone, make_hazard):
    major = make_zone(code="R-MAJOR", building="锅炉房", floor="1F", risk_level="major")
    make_zone(code="R-LOW", building="锅炉房", floor="1F", risk_level="low")
    make_hazard("assigned", zone=major)
    make_hazard("closed", zone=major)
    page = boss.get("/patrols/risk").get_data(as_text=True)
    found = re.findall(r'<li class="cell.*?</li>', page, re.S)
    cells = {re.search(r"R-[A-Z]+", cell).group(): cell for cell in found}
    assert '<span class="risk risk-major">Major risk</span>' in cells["R-MAJOR"]
    assert f'<a href="/hazards?state=open&amp;zone={major.id}">1 open hazards</a>' in cells["R-MAJOR"]
    assert '<span class="risk risk-low">Low risk</span>' in cells["R-LOW"]
    assert "No open hazards" in cells["R-LOW"]
    assert "<h2" in page and "锅炉房" in page and "<h3>1F</h3>" in page


def test_a_zones_history_says_who_when_on_site_and_what_was_found(app, boss, make_hazard):
    hazard = make_hazard("reported", description="灭火器过期")
    page = boss.get(f"/patrols/zones/{hazard.zone_id}").get_data(as_text=True)
    assert hazard.people.reporter.display_name in page
    assert f'href="/hazards/{hazard.id}"' in page and "灭火器过期" in page
    assert "Not scanned" in page
