"""The desk's cards (list, new reports, deferral requests, rechecks) read each hazard as a card: the columns
its card shows, its zone and people by id and name, in one statement (issue 12: 50 Hazard objects with their
zone, category and people objects were a third of the queue at 100,000); the rules a card needs are the
model's own, borrowed."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from server.extensions import db
from server.hazards import queries
from server.hazards.cards import Card, CardZone, Person, read_cards
from server.hazards.models import Hazard
from server.hazards.views import IdUrls
from tests.hazards.apihelp import act
from tests.statements import ran

NOW = datetime(2030, 1, 9, 2, 0, tzinfo=UTC)


def _card(**facts) -> Card:
    card = Card()
    for name in Card.__slots__:
        setattr(card, name, facts.get(name))
    return card


@pytest.mark.parametrize(("state", "deadline", "overdue", "is_open"), [
    ("assigned", datetime(2030, 1, 9, 1, 59, tzinfo=UTC), True, True),
    ("assigned", datetime(2030, 1, 9, 2, 0, tzinfo=UTC), False, True),
    ("reported", None, False, True),
    ("awaiting_recheck", datetime(2020, 1, 1, tzinfo=UTC), False, True),
    ("closed", datetime(2020, 1, 1, tzinfo=UTC), False, False),
    ("invalid", None, False, False),
])
def test_a_card_is_overdue_and_open_by_the_models_rules(state, deadline, overdue, is_open):
    card = _card(state=state, deadline=deadline)
    assert (card.is_overdue(NOW), card.is_open) == (overdue, is_open)


@pytest.mark.parametrize(("severity", "planned_at", "requested_at", "plan_missing", "pending"), [
    ("general", None, None, False, False),
    ("major", None, None, True, False),
    ("critical", NOW, None, False, False),
    ("general", None, NOW, False, True),
])
def test_a_cards_plan_and_deferral_by_the_models_rules(severity, planned_at, requested_at, plan_missing,
                                                       pending):
    card = _card(severity=severity, planned_at=planned_at, deferral_requested_at=requested_at)
    assert (card.plan_missing, card.deferral_pending) == (plan_missing, pending)


@pytest.mark.parametrize(("rectifier_id", "responsible_id", "expected"), [
    (1, 2, 1),  # its last rectifier, still able
    (3, 2, 2),  # its last rectifier no longer able: the zone's responsible person
    (None, 2, 2),  # never assigned: the zone's responsible person
    (None, 3, None),  # the zone's person is no rectifier: none, the supervisor chooses
    (None, None, None),
])
def test_a_cards_default_rectifier_is_one_of_the_pages_rectifiers(rectifier_id, responsible_id, expected):
    able = {1: object(), 2: object()}  # the page's active rectifiers (User objects) by id
    card = _card(rectifier=rectifier_id and Person(rectifier_id, "x"),
                 zone=CardZone("z", "Z1", "", responsible_id and Person(responsible_id, "y")))
    chosen = queries.default_rectifier(card, able)
    assert chosen is (able[expected] if expected else None)


def test_a_card_reads_what_its_hazard_says(app, make_hazard, make_user):
    hazard = make_hazard("assigned", severity="major", description="<b>消防通道</b> & 堵塞")
    with app.app_context():
        known = db.session.get(Hazard, hazard.id)
        (card,) = read_cards(select(Hazard).where(Hazard.id == hazard.id))
        facts = ("id", "state", "severity", "description", "received_at", "updated_at", "deadline",
                 "planned_at", "rectifier_id", "reporter_id", "category_id", "deferral_requested_at")
        assert {name: getattr(card, name) for name in facts} == {name: getattr(known, name) for name in facts}
        assert card.zone == CardZone(known.zone.name, known.zone.code, known.zone.building,
                                     Person(known.zone.responsible_id, known.zone.responsible.display_name))
        assert card.reporter == Person(known.reporter_id, known.reporter.display_name)
        assert card.rectifier == Person(known.rectifier_id, known.rectifier.display_name)
        assert card.deferral_requested_by is None and card.category is known.category


@pytest.mark.parametrize(("column", "read"), [
    ("hazards.description", True),
    ("hazards.deferral_reason", True),
    ("zones.code", True),
    ("reporter.display_name", True),
    ("rectifier.display_name", True),
    ("responsible.id", True),  # a new report's default rectifier
    ("requester.display_name", True),  # who asked for a deferral
    ("hazards.client_id", False),
    ("hazards.content_hash", False),
    ("zones.qr_token", False),
    ("password_hash", False),
    ("users.display_name", False),  # no User objects: each person by one alias
])
@pytest.mark.parametrize("path", ["/hazards", "/hazards/queue", "/hazards/rechecks"])
def test_a_card_page_reads_its_cards_in_statements_of_what_they_show(app, make_hazard, sign_in, path, column,
                                                                      read):
    people = make_hazard("reported").people
    for state in ("assigned", "awaiting_recheck", "closed"):
        make_hazard(state, reporter=people.reporter, rectifier=people.rectifier)
    client = sign_in(people.supervisor)  # not the rectifier: the rechecks are theirs to make
    response, said = ran(app, lambda: client.get(path))
    assert response.status_code == 200 and 'class="card hazard-card' in response.get_data(as_text=True)
    # A page reads its cards by urgency group (the list: the open, then the finished), each in one statement.
    cards = [s.partition("FROM hazards JOIN zones")[0] for s in said if "FROM hazards JOIN zones" in s]
    assert 1 <= len(cards) <= 2 and all((column in selected) == read for selected in cards)


@pytest.mark.parametrize(("endpoint", "key", "record_id", "expected"), [
    ("hazards.detail", "hazard_id", 7, "/hazards/7"),
    ("hazards.act", "hazard_id", 42, "/hazards/42/act"),
    ("api.photo_thumb", "photo_id", 123456789012, "/api/v1/photos/123456789012/thumb"),
])
def test_a_cards_urls_are_looked_up_or_called_alike(app, endpoint, key, record_id, expected):
    with app.test_request_context():
        urls = IdUrls(endpoint, key)
        assert urls[record_id] == urls(record_id) == expected


def test_the_queues_forms_carry_each_cards_own_fields(app, make_hazard, sign_in):
    first = make_hazard("reported", description="<i>松动</i> 50%")
    second = make_hazard("reported", supervisor=first.people.supervisor)
    page = sign_in(first.people.supervisor).get("/hazards/queue").get_data(as_text=True)
    for hazard in (first, second):
        card = page.split(f'aria-labelledby="hz-{hazard.id}"')[1].split("</article>")[0]
        client_ids = re.findall(r'name="client_id" value="([0-9a-f]{32})-(assign|invalidate)"', card)
        assert [action for _, action in client_ids] == ["assign", "invalidate"]
        assert len({client_id for client_id, _ in client_ids}) == 1  # one per card, each form adds its action
        assert card.count('name="seen_state" value="reported"') == 2
        assert card.count('name="next" value="/hazards/queue"') == 2
        reason = f"invalidate-{hazard.id}-reason"
        assert f'for="{reason}"' in card and f'id="{reason}"' in card
    assert "&lt;i&gt;松动&lt;/i&gt; 50%" in page


@pytest.mark.parametrize(("controls", "asked"), [(0, 0), (1, 1), (2, 1)])
def test_a_card_page_asks_for_interim_controls_only_when_a_card_has_one(app, make_hazard, sign_in, controls,
                                                                          asked):
    hazards = [make_hazard("reported")]
    people = hazards[0].people
    hazards.append(make_hazard("reported", supervisor=people.supervisor))
    client = sign_in(people.supervisor)
    for hazard in hazards[:controls]:
        assert act(client, hazard.id, "interim_control", "reported", interim_kind="cordoned",
                   note="拉警戒线").status_code == 201
    response, said = ran(app, lambda: client.get("/hazards/queue"))
    assert response.get_data(as_text=True).count('class="notice interim"') == controls
    assert sum(s.startswith("SELECT hazard_events") for s in said) == asked
