"""A list of notifications is read as plain rows in one statement, whatever its length (issue 12), and says
each notice in the reader's language, on the desk page and in the API alike."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.hazards.apihelp import act, school_today
from tests.statements import ran


def _selects(app, client, path: str) -> list[str]:
    """Fetch `path` (asserting 200) and return the SELECT statements the request ran."""
    response, said = ran(app, lambda: client.get(path))
    assert response.status_code == 200
    return [s for s in said if s.lstrip().upper().startswith("SELECT")]


# The signed-in user (with roles), the list, the unread count (the desk's header, the API's answer).
@pytest.mark.parametrize("path", ["/notifications", "/api/v1/notifications"])
@pytest.mark.parametrize("hazards", [1, 3])
def test_the_list_is_one_statement_however_long(app, make_hazard, make_user, sign_in, path, hazards):
    rectifier = make_user(roles=("rectifier",))
    for _ in range(hazards):
        make_hazard("assigned", rectifier=rectifier)
    selects = _selects(app, sign_in(rectifier), path)
    assert len(selects) == 3
    assert sum("FROM notifications JOIN hazards" in s for s in selects) == 1


def test_a_deferral_decision_reads_the_decisions_in_one_more(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    fixer, supervisor = sign_in(hazard.people.rectifier), sign_in(hazard.people.supervisor)
    day = (school_today() + timedelta(days=20)).isoformat()
    asked = act(fixer, hazard.id, "request_deferral", "assigned", note="缺配件", deadline=day)
    decided = act(supervisor, hazard.id, "approve_deferral", "assigned")
    assert (asked.status_code, decided.status_code) == (201, 201)
    selects = _selects(app, fixer, "/notifications")
    assert len(selects) == 4 and sum("FROM hazard_events" in s for s in selects) == 1


TEXTS = {
    ("supervisor", "zh_CN"): "新的隐患上报 #{id}，{zone}：校舍安全。",
    ("supervisor", "en"): "New hazard report #{id} in {zone}: Buildings.",
    ("rectifier", "zh_CN"): "{zone}的隐患 #{id} 已指派给您，整改期限 {day}。",
    ("rectifier", "en"): "Hazard #{id} in {zone} is assigned to you; deadline {day}.",
}


@pytest.mark.parametrize(("who", "language"), list(TEXTS))
def test_each_notice_is_said_in_the_readers_language(app, make_hazard, sign_in, who, language):
    hazard = make_hazard("assigned")
    client = sign_in(getattr(hazard.people, who))
    with client.session_transaction() as kept:
        kept["locale"] = language
    day = hazard.deadline.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    text = TEXTS[who, language].format(id=hazard.id, zone=hazard.zone_obj.name, day=day)
    notices = client.get("/api/v1/notifications").get_json()["notifications"]
    assert notices[-1]["message"] == text
    assert f'<a href="/hazards/{hazard.id}">{text}</a>' in client.get("/notifications").get_data(as_text=True)
