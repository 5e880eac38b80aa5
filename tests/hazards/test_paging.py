"""Answers bounded by the page (issue 12): the urgency groups give the sorted query's rows, the rechecks, the
queue and /me/tasks come a page at a time with their totals, the queue's rectifiers are one shared list."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.database import utcnow
from server.extensions import db

# Seven hazards of one supervisor: two overdue (deadlines in the past), an assigned one on time, two
# reported, one awaiting recheck, one closed.
MIX = ("overdue", "overdue", "assigned", "reported", "reported", "awaiting_recheck", "closed")


@pytest.fixture
def mix(app, make_hazard, make_user):
    """Make MIX's hazards (the overdue ones assigned a month ago, so past their deadlines); return them."""
    supervisor = make_user(roles=("supervisor",))
    rectifier = make_user(roles=("rectifier",))
    month_ago = utcnow() - timedelta(days=30)
    return [make_hazard("assigned" if kind == "overdue" else kind, supervisor=supervisor, rectifier=rectifier,
                        now=month_ago if kind == "overdue" else None) for kind in MIX]


@pytest.mark.parametrize(("limit", "offset"), [(50, 0), (1, 0), (2, 0), (3, 1), (2, 2), (3, 4), (4, 5),
                                               (10, 6), (5, 7), (1, 100)])
def test_a_page_by_urgency_groups_is_the_sorted_querys_page(app, mix, limit, offset):
    from server.hazards import access, queries
    from server.hazards.models import Hazard

    with app.app_context():
        admin = db.session.get(type(mix[0].people.supervisor), mix[0].people.supervisor.id)
        now = utcnow()
        query = access.visible_hazards(admin)
        expected = list(db.session.scalars(query.order_by(*Hazard.urgency_order(now)).limit(limit)
                                           .offset(offset)).unique())
        rows, total = queries.urgent_page(query, now, limit, offset)
        assert ([h.id for h in rows], total) == ([h.id for h in expected], len(MIX))


def test_the_counts_are_one_aggregate_with_the_lists_figures(app, mix):
    from server.hazards import queries

    with app.app_context():
        admin = db.session.get(type(mix[0].people.supervisor), mix[0].people.supervisor.id)
        counts = queries.hazard_counts(admin)
    assert counts == {"reported": 2, "assigned": 3, "overdue": 2, "awaiting_recheck": 1,
                      "closed_this_month": 1, "deferrals": 0}


@pytest.mark.parametrize(("query", "tasks", "rechecks", "limit", "offset"), [
    ("", 3, 1, 50, 0),
    ("?limit=2", 2, 1, 2, 0),
    ("?limit=2&offset=2", 1, 0, 2, 2),
    ("?offset=9", 0, 0, 50, 9),
])
def test_my_tasks_come_a_page_at_a_time_with_their_totals(app, mix, make_user, sign_in, query, tasks,
                                                          rechecks, limit, offset):
    # The rectifier also supervises here, so both lists have rows (not their own work to recheck: a new one).
    from server.auth.models import User

    with app.app_context():
        person = db.session.get(User, mix[0].people.rectifier.id)
        person.roles = {"rectifier"}
        db.session.commit()
    body = sign_in(mix[0].people.rectifier).get(f"/api/v1/me/tasks{query}").get_json()
    assert (len(body["tasks"]), body["tasks_total"], body["overdue"], body["limit"], body["offset"]) == (
        tasks, 3, 2, limit, offset)
    supervisor = sign_in(make_user(roles=("supervisor",))).get(f"/api/v1/me/tasks{query}").get_json()
    assert (len(supervisor["rechecks"]), supervisor["rechecks_total"]) == (rechecks, 1)


@pytest.mark.parametrize(("page", "cards", "links"), [(1, 50, ['rel="next"']), (2, 5, ['rel="prev"'])])
def test_the_rechecks_page_shows_fifty_and_links_the_next(app, make_hazard, make_user, sign_in, page, cards,
                                                          links):
    from server.hazards.models import Hazard

    supervisor = make_user(roles=("supervisor",))
    first = make_hazard("awaiting_recheck")
    with app.app_context():  # 55 awaiting recheck, copies of one made through the services
        source = db.session.get(Hazard, first.id)
        columns = {c.key: getattr(source, c.key) for c in Hazard.__table__.columns if c.key not in ("id",)}
        for n in range(54):
            db.session.add(Hazard(**{**columns, "client_id": f"copy-{n}"}))
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(Hazard)) == 55
    html = sign_in(supervisor).get(f"/hazards/rechecks?page={page}").get_data(as_text=True)
    assert (html.count('class="button primary" href="/hazards/'), [link for link in links if link in html],
            "55" in html) == (cards, links, True)


def test_the_queue_lists_the_rectifiers_once_for_every_card(app, make_hazard, make_user, sign_in):
    supervisor = make_user(roles=("supervisor",))
    hazards = [make_hazard("reported") for _ in range(3)]
    html = sign_in(supervisor).get("/hazards/queue").get_data(as_text=True)
    others = [h.people.rectifier for h in hazards]
    shared = html.split('<template id="rectifier-choices">')[1].split("</template>")[0]
    # Each card's chooser holds its default only; the template holds every rectifier once.
    assert [shared.count(f'<option value="{p.id}">') for p in others] == [1, 1, 1]
    assert [html.count(f'value="{p.id}"') for p in others] == [2, 2, 2]
    assert html.count('data-choices="rectifier-choices"') == 3 and "rectifiers.js" in html
