"""The field app's lists (/me/tasks, a zone's hazards) read each hazard as a line: the columns its line shows
and its allowed actions need, with its zone's and category's and its thumbnail, in the page's one statement
(issue 12: 50 Hazard objects with their zone and category objects were most of /me/tasks at 100,000)."""

from datetime import UTC, datetime

import pytest

from server.hazards.items import Line
from tests.hazards.apihelp import act
from tests.statements import ran

NOW = datetime(2030, 1, 9, 2, 0, tzinfo=UTC)


def _line(**facts) -> Line:
    return Line(**({name: None for name in Line._fields} | facts))


@pytest.mark.parametrize(("state", "deadline", "overdue"), [
    ("assigned", datetime(2030, 1, 9, 1, 59, tzinfo=UTC), True),
    ("assigned", datetime(2030, 1, 9, 2, 0, tzinfo=UTC), False),
    ("assigned", None, False),
    ("awaiting_recheck", datetime(2020, 1, 1, tzinfo=UTC), False),
])
def test_a_line_is_overdue_by_the_models_rule(state, deadline, overdue):
    assert _line(state=state, deadline=deadline).is_overdue(NOW) is overdue


@pytest.mark.parametrize(("requested_at", "pending"), [(None, False), (NOW, True)])
def test_a_lines_deferral_is_pending_by_the_models_rule(requested_at, pending):
    assert _line(deferral_requested_at=requested_at).deferral_pending is pending


@pytest.mark.parametrize(("name_en", "locale", "expected"), [
    ("Fire safety", "en", "Fire safety"),
    ("Fire safety", "zh_CN", "消防安全"),
    ("", "en", "消防安全"),  # no English name: the Chinese one
])
def test_a_lines_category_is_named_as_the_category_names_itself(name_en, locale, expected):
    line = _line(category_name="消防安全", category_name_en=name_en)
    assert line.category_display_name(locale) == expected


@pytest.mark.parametrize(("column", "read"), [
    ("hazards.state", True),
    ("hazards.deadline", True),
    ("hazards.planned_at", True),
    ("hazards.deferral_requested_at", True),
    ("zones.code", True),
    ("categories.name_en", True),
    ("photos.id", True),  # the thumbnail, with the line
    ("hazard_events.action", True),  # whether it has an interim control
    ("hazards.client_id", False),
    ("hazards.received_at", False),
    ("hazards.deferral_reason", False),
    ("zones.responsible_id", False),
    ("categories.checklist", False),
    ("users.display_name", False),
])
@pytest.mark.parametrize(("who", "path"), [
    ("rectifier", "/api/v1/me/tasks"),
    ("supervisor", "/api/v1/me/tasks"),
    ("rectifier", "/api/v1/zones/{zone}/hazards"),
])
def test_a_list_reads_its_lines_in_one_statement_of_what_they_show(app, make_hazard, sign_in, who, path,
                                                                    column, read):
    assigned = make_hazard("assigned")
    people = assigned.people
    make_hazard("awaiting_recheck", reporter=people.reporter, supervisor=people.supervisor,
                rectifier=people.rectifier)
    client = sign_in(getattr(people, who))
    response, said = ran(app, lambda: client.get(path.format(zone=assigned.zone_id)))
    lines = [s for s in said if "JOIN zones" in s and "JOIN categories" in s]
    body = response.get_json()
    shown = body.get("tasks", []) + body.get("rechecks", []) + body.get("hazards", [])
    assert response.status_code == 200 and shown and all(item["thumb_url"] for item in shown)
    assert len(lines) == 1
    selected = lines[0].partition("FROM hazards JOIN zones")[0]  # what it reads, not what it sorts by
    assert (column in selected) == read


@pytest.mark.parametrize(("controls", "asked"), [(0, 0), (1, 1), (2, 1)])
def test_a_list_asks_for_interim_controls_only_when_a_line_has_one(app, make_hazard, sign_in, controls,
                                                                  asked):
    hazards = [make_hazard("assigned")]
    people = hazards[0].people
    hazards.append(make_hazard("assigned", reporter=people.reporter, supervisor=people.supervisor,
                               rectifier=people.rectifier))
    client = sign_in(people.rectifier)
    for hazard in hazards[:controls]:
        assert act(client, hazard.id, "interim_control", "assigned", interim_kind="cordoned",
                   note="拉警戒线").status_code == 201
    tasks, said = ran(app, lambda: client.get("/api/v1/me/tasks").get_json()["tasks"])
    assert sorted(len(t["interim_controls"]) for t in tasks) == sorted([1] * controls + [0] * (2 - controls))
    assert sum(s.startswith("SELECT hazard_events") for s in said) == asked


@pytest.mark.parametrize(("tasks", "counts"), [
    (0, 2),  # my tasks' total, none: no group is counted; the rechecks' total
    (1, 4),  # my tasks' total, its overdue and open groups; the rechecks' total
])
def test_no_tasks_are_counted_once(app, make_user, make_hazard, sign_in, tasks, counts):
    me = make_user(roles=("supervisor", "rectifier"))
    people = make_hazard("awaiting_recheck").people
    for _ in range(tasks):
        make_hazard("assigned", reporter=people.reporter, supervisor=people.supervisor, rectifier=me)
    client = sign_in(me)
    body, said = ran(app, lambda: client.get("/api/v1/me/tasks").get_json())
    assert (body["tasks_total"], body["rechecks_total"]) == (tasks, 1)
    assert sum(s.startswith("SELECT count(*)") for s in said) == counts
