"""The lists answered as plain JSON (api.schemas.plain_answer, built without pydantic per item) send what
their declaration would: the same bytes as `answer` validating and serialising the same body."""

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from server.api.schemas import json_time
from server.hazards import schemas
from tests.hazards.apihelp import act


class _Time(BaseModel):
    at: datetime


@pytest.mark.parametrize(("moment", "expected"), [
    (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05Z"),
    (datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC), "2026-01-02T03:04:05.120000Z"),
    (datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC), "2026-01-02T03:04:05.123456Z"),
    (None, None),
])
def test_a_time_is_written_as_the_declaration_writes_it(moment, expected):
    assert json_time(moment) == expected
    if moment is not None:
        assert _Time(at=moment).model_dump(mode="json")["at"] == expected


@pytest.fixture
def lists(app, make_hazard, sign_in):
    """Return a signed-in client per person and the zone of a hazard of each open state, one with an interim
    control (a time with microseconds), one overdue (a deadline in the past)."""
    assigned = make_hazard("assigned")
    people = assigned.people
    others = [make_hazard(state, zone=None, reporter=people.reporter, supervisor=people.supervisor,
                          rectifier=people.rectifier) for state in ("awaiting_recheck", "reported")]
    make_hazard("assigned", reporter=people.reporter, supervisor=people.supervisor,
                rectifier=people.rectifier, now=datetime(2020, 1, 1, tzinfo=UTC))
    rectifier = sign_in(people.rectifier)
    response = act(rectifier, assigned.id, "interim_control", "assigned", interim_kind="cordoned",
                   note="拉警戒线")
    assert response.status_code == 201
    return ({"rectifier": rectifier, "supervisor": sign_in(people.supervisor),
             "reporter": sign_in(people.reporter)}, [assigned.zone_id] + [h.zone_id for h in others])


@pytest.mark.parametrize(("who", "url", "model"), [
    ("rectifier", "/api/v1/me/tasks", schemas.Tasks),
    ("supervisor", "/api/v1/me/tasks", schemas.Tasks),
    ("reporter", "/api/v1/me/tasks", schemas.Tasks),
    ("rectifier", "/api/v1/zones/{zone}/hazards", schemas.ZoneHazards),
    ("reporter", "/api/v1/zones/{zone}/hazards?open=0", schemas.ZoneHazards),
])
def test_a_plain_answer_is_what_its_declaration_sends(app, lists, who, url, model):
    clients, zones = lists
    for zone in zones:  # each zone of the fixture: the one with the interim control and the others
        response = clients[who].get(url.format(zone=zone))
        with app.test_request_context():
            declared = app.json.response(model.model_validate(response.get_json()).model_dump(mode="json"))
        assert (response.status_code, response.get_data()) == (200, declared.get_data())


def test_the_lists_carry_what_the_fixture_made(lists):
    clients, zones = lists
    tasks = clients["rectifier"].get("/api/v1/me/tasks").get_json()
    interim = sorted(len(t["interim_controls"]) for t in tasks["tasks"])
    assert (tasks["tasks_total"], tasks["overdue"], interim, all(t["thumb_url"] for t in tasks["tasks"])) == (
        2, 1, [0, 1], True)
    assert clients["supervisor"].get("/api/v1/me/tasks").get_json()["rechecks_total"] == 1
