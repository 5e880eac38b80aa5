"""The one hazard filter (server/hazards/filters.py): read from a query string, written back for links, and
refusing, with a 400 that names it, a value it cannot use."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from server.hazards.filters import NONE, BadFilter, HazardFilter


@pytest.mark.parametrize(("args", "expected"), [
    ({}, HazardFilter()),
    ({"state": ["open", "closed"]}, HazardFilter(states=("open", "closed"))),
    ({"state": "assigned,reported"}, HazardFilter(states=("assigned", "reported"))),
    ({"zone": "3", "category": "2", "rectifier": "7", "reporter": "8", "person": "9"},
     HazardFilter(zone_id=3, category_id=2, rectifier_id=7, reporter_id=8, person_id=9)),
    ({"rectifier": NONE}, HazardFilter(no_rectifier=True)),
    ({"building": "教学楼", "department": NONE, "company": "物业公司", "severity": "major"},
     HazardFilter(building="教学楼", department=NONE, company="物业公司", severity="major")),
    ({"found_from": "2026-03-01", "found_to": "2026-03-11", "closed_from": "2026-03-02",
      "closed_to": "2026-03-09"},
     HazardFilter(found_from=date(2026, 3, 1), found_to=date(2026, 3, 11), closed_from=date(2026, 3, 2),
                  closed_to=date(2026, 3, 9))),
    ({"timing": "late", "overdue": "0", "deferral": "1", "event": "fail", "q": " 扶手 "},
     HazardFilter(timing="late", overdue=False, deferral_pending=True, event="fail", text="扶手")),
    ({"page": "3"}, HazardFilter()),  # the list's page is not a filter
])
def test_read_from_a_query_string_and_written_back(args, expected):
    read = HazardFilter.from_args(MultiDict(args))
    assert read == expected
    assert HazardFilter.from_args(MultiDict(read.to_args())) == read  # a link names the same hazards


@pytest.mark.parametrize(("args", "field"), [
    ({"state": "lost"}, "state"),
    ({"zone": "x"}, "zone"),
    ({"zone": str(2 ** 63)}, "zone"),  # no record has an id the database cannot hold
    ({"severity": "huge"}, "severity"),
    ({"found_from": "soon"}, "found_from"),
    ({"closed_to": "2026-02-30"}, "closed_to"),
    ({"found_from": "2026-03-02", "found_to": "2026-03-01"}, "found_from"),
    ({"timing": "sometimes"}, "timing"),
    ({"overdue": "maybe"}, "overdue"),
    ({"event": "explode"}, "event"),
])
def test_a_bad_value_is_refused_by_name(args, field):
    with pytest.raises(BadFilter) as refused:
        HazardFilter.from_args(MultiDict(args))
    assert refused.value.status == 400 and field in refused.value.details


@pytest.fixture
def listed(make_user, make_zone, make_hazard, sign_in):
    """Hazards in two departments, one fixed by a contractor's rectifier; return (client, hazards)."""
    supervisor = make_user(roles=("supervisor",))
    staff = make_user(roles=("rectifier",), display_name="张师傅")
    contractor = make_user(roles=("rectifier",), display_name="刘阿姨", company="物业公司")
    ours = make_zone(department="后勤处", building="教学楼", responsible=staff)
    theirs = make_zone(department="", building="", responsible=contractor)
    h = {"staff": make_hazard("assigned", zone=ours, supervisor=supervisor, rectifier=staff),
         "contractor": make_hazard("closed", zone=theirs, supervisor=supervisor, rectifier=contractor),
         "nobody": make_hazard("reported", zone=theirs, supervisor=supervisor)}
    return sign_in(supervisor), {hazard.id: name for name, hazard in h.items()}


def _names(client, names, **params) -> set[str]:
    import re

    response = client.get("/hazards", query_string=params)
    assert response.status_code == 200
    return {names[int(n)] for n in re.findall(r'<h2 id="hz-(\d+)"', response.get_data(as_text=True))}


@pytest.mark.parametrize(("params", "expected"), [
    ({"department": "后勤处"}, {"staff"}),
    ({"department": NONE}, {"contractor", "nobody"}),
    ({"building": NONE}, {"contractor", "nobody"}),
    ({"company": "物业公司"}, {"contractor"}),
    ({"company": NONE}, {"staff"}),  # school staff: a rectifier with no contractor
    ({"rectifier": NONE}, {"nobody"}),
    ({"state": "open"}, {"staff", "nobody"}),
    ({"state": "finished"}, {"contractor"}),
    ({"timing": "on_time"}, {"contractor"}),
    ({"timing": "late"}, set()),
])
def test_the_desk_list_filters(app, listed, params, expected):
    client, names = listed
    assert _names(client, names, **params) == expected


def test_the_list_form_offers_departments_and_contractors(app, listed):
    client, _ = listed
    page = client.get("/hazards").get_data(as_text=True)
    assert 'name="department"' in page and ">后勤处</option>" in page
    assert 'name="company"' in page and ">物业公司</option>" in page
    assert 'name="found_from"' in page and 'name="timing"' in page
