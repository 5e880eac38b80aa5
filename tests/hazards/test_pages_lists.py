"""The desk's hazard lists: filters, counts, overdue first and marked, school time, rechecks, the queue."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from server import schooltime
from server.extensions import db
from server.hazards import deadlines, queries, services
from server.hazards.models import Hazard
from tests.hazards.apihelp import act, school_today
from tests.hazards.test_major_plan import plan_json


def _page(client, path, **params):
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _shown(page) -> list[int]:
    """Return the hazard numbers of the cards on a page, in order."""
    return [int(n) for n in re.findall(r'<h2 id="hz-(\d+)"', page)]


@pytest.fixture
def desk(make_user, make_zone, make_hazard, sign_in):
    """A supervisor's desk with hazards of several kinds (made through the services)."""
    supervisor = make_user(roles=("supervisor",), display_name="王主任")
    zhang = make_user(roles=("rectifier",), display_name="张师傅")
    chen = make_user(roles=("rectifier",), display_name="陈电工")
    stairs = make_zone(code="JX-STAIR", name="教学楼楼梯间", building="教学楼", responsible=zhang)
    power = make_zone(code="PD-ROOM", name="配电室", building="综合楼", responsible=chen)
    h = {
        "loose": make_hazard("assigned", zone=stairs, supervisor=supervisor, rectifier=zhang,
                             description="楼梯扶手松动"),
        "late": make_hazard("assigned", zone=stairs, supervisor=supervisor, rectifier=zhang,
                            description="台阶防滑条脱落", now=datetime.now(UTC) - timedelta(days=20)),
        "wires": make_hazard("reported", zone=power, supervisor=supervisor, rectifier=chen,
                             category="electricity", severity="critical", description="配电箱线路裸露"),
        "fixed": make_hazard("closed", zone=power, supervisor=supervisor, rectifier=chen,
                             category="electricity", description="插座面板破损"),
        "dup": make_hazard("invalid", zone=stairs, supervisor=supervisor, description="重复的扶手上报"),
        "check": make_hazard("awaiting_recheck", zone=power, supervisor=supervisor, rectifier=chen,
                             category="fire", description="灭火器压力不足"),
    }
    return supervisor, sign_in(supervisor), h


def test_overdue_first_marked_in_red_with_its_days(app, desk):
    _, client, h = desk
    page = _page(client, "/hazards")
    order = _shown(page)
    assert order[0] == h["late"].id
    # Open hazards come before the finished ones, whatever their deadlines.
    finished = {h["fixed"].id, h["dup"].id}
    assert set(order[-2:]) == finished
    card = page[page.index(f'id="hz-{h["late"].id}"') - 200:page.index(f'id="hz-{h["late"].id}"')]
    assert "overdue" in card  # the red card
    # Assigned 20 days ago with the building category's 7 days to rectify: 13 days late.
    assert "逾期 13 天" in page and page.count("badge-overdue") == 1


def test_counts_at_the_top(app, desk):
    _, client, h = desk
    page = _page(client, "/hazards")
    counts = page[page.index('class="counts"'):page.index("</ul>", page.index('class="counts"'))]
    figures = dict((label, int(n)) for n, label in re.findall(r"<strong>(\d+)</strong> ([^<]+)</a>", counts))
    assert figures == {"新上报": 1, "整改中": 2, "逾期": 1, "待复查": 1, "本月销号": 1, "延期申请": 0}


@pytest.mark.parametrize(("params", "expected"), [
    ({"state": "assigned"}, ["late", "loose"]),
    ({"state": ["reported", "awaiting_recheck"]}, ["check", "wires"]),
    ({"overdue": "1"}, ["late"]),
    ({"building": "综合楼"}, ["check", "fixed", "wires"]),
    ({"severity": "critical"}, ["wires"]),
    ({"q": "扶手"}, ["dup", "loose"]),
    ({"q": "pd-room"}, ["check", "fixed", "wires"]),  # the zone's code, any case
    ({"q": "100%"}, []),  # LIKE wildcards are text, not patterns
])
def test_filters(app, desk, params, expected):
    _, client, h = desk
    shown = _shown(_page(client, "/hazards", **params))
    assert sorted(shown) == sorted(h[name].id for name in expected)


def test_filters_by_zone_category_and_rectifier(app, desk):
    _, client, h = desk
    zone_id = h["wires"].zone_id
    assert sorted(_shown(_page(client, "/hazards", zone=zone_id))) == sorted(
        h[n].id for n in ("wires", "fixed", "check"))
    category_id = h["check"].category_id
    assert _shown(_page(client, "/hazards", category=category_id)) == [h["check"].id]
    rectifier_id = h["loose"].rectifier_id
    page = _page(client, "/hazards", rectifier=rectifier_id, state="assigned")
    assert sorted(_shown(page)) == sorted([h["loose"].id, h["late"].id])
    assert f'<option value="{rectifier_id}" selected>' in page  # the form shows what is chosen


def test_closed_this_month_link_and_a_bad_filter_value(app, desk):
    _, client, h = desk
    page = _page(client, "/hazards")
    first = school_today().replace(day=1).isoformat()
    assert f"closed_from={first}" in page
    assert _shown(_page(client, "/hazards", state="closed", closed_from=first)) == [h["fixed"].id]
    # A value the filter cannot use is a bad request, named (server/hazards/filters.py).
    assert client.get("/hazards?zone=x").status_code == 400
    assert client.get("/hazards?closed_from=soon").status_code == 400
    assert client.get("/hazards?state=lost").status_code == 400


def test_a_rectifier_sees_only_their_hazards_and_no_assign_forms(app, desk, sign_in):
    _, _, h = desk
    zhang = sign_in(h["loose"].people.rectifier)
    page = _page(zhang, "/hazards")
    assert sorted(_shown(page)) == sorted([h["loose"].id, h["late"].id])
    assert 'name="rectifier"' not in page  # no rectifier filter for them
    assert "/hazards/queue" not in page


@pytest.mark.parametrize("path", ["/hazards", "/hazards/queue", "/hazards/{hazard}"])
def test_times_are_shown_in_the_school_time_zone(app, make_hazard, sign_in, path):
    # 20:30 UTC on 5 January is 04:30 on 6 January in Shanghai.
    hazard = make_hazard("reported", now=datetime(2026, 1, 5, 20, 30, tzinfo=UTC))
    page = _page(sign_in(hazard.people.supervisor), path.format(hazard=hazard.id))
    assert "2026-01-06 04:30" in page and "2026-01-05 20:30" not in page


def test_queue_shows_the_report_with_a_thumbnail_and_the_defaults(app, make_hazard, sign_in):
    hazard = make_hazard("reported", severity="critical", description="燃气报警器不亮")
    supervisor = sign_in(hazard.people.supervisor)
    # A critical report is assigned with its plan (五到位): once it is recorded, the queue offers the form.
    assert act(supervisor, hazard.id, "plan", "reported", **plan_json()).status_code == 201
    page = _page(supervisor, "/hazards/queue")
    with app.app_context():
        photo_id = db.session.get(Hazard, hazard.id).photos[0].id
    assert f'src="/api/v1/photos/{photo_id}/thumb"' in page
    assert "燃气报警器不亮" in page and "重大" in page and hazard.people.reporter.display_name in page
    # Critical: one day, from the category's period; the zone's responsible person is chosen.
    tomorrow = (school_today() + timedelta(days=1)).isoformat()
    assert f'name="deadline" value="{tomorrow}"' in page
    assert f'<option value="{hazard.people.rectifier.id}" selected>' in page
    for field in ('name="csrf_token"', 'name="client_id"', 'name="seen_state" value="reported"',
                  'name="invalid_kind" value="duplicate"'):
        assert field in page, field


def test_queue_without_a_responsible_person_asks_to_choose(app, make_hazard, make_zone, sign_in):
    hazard = make_hazard("reported", zone=make_zone())
    page = _page(sign_in(hazard.people.supervisor), "/hazards/queue")
    assert '<option value="">请选择整改人</option>' in page


def test_rechecks_show_before_and_after_and_leave_out_own_work(app, make_hazard, make_user, sign_in):
    boss = make_user(roles=("supervisor", "rectifier"))
    theirs = make_hazard("awaiting_recheck", description="别人的整改")
    own = make_hazard("awaiting_recheck", rectifier=boss, supervisor=theirs.people.supervisor,
                      description="自己的整改")
    page = _page(sign_in(boss), "/hazards/rechecks")
    assert _shown(page) == [theirs.id] and "自己的整改" not in page
    assert page.count("/thumb") == 2 and "整改前" in page and "整改后" in page
    assert f'href="/hazards/{theirs.id}#actions-title"' in page
    assert own.id in _shown(_page(sign_in(theirs.people.supervisor), "/hazards/rechecks"))


def test_deferrals_page_shows_reason_and_proposed_date(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    later = school_today() + timedelta(days=21)
    with app.app_context():
        from server.auth.models import User

        services.perform(db.session.get(User, hazard.people.rectifier.id), hazard.id, services.Command(
            action="request_deferral", client_id="defer-12345678", seen_state="assigned", note="需采购配件",
            deadline=later))
    page = _page(sign_in(hazard.people.supervisor), "/hazards/deferrals")
    assert _shown(page) == [hazard.id]
    assert "需采购配件" in page and later.isoformat() in page
    assert f'name="deadline" value="{later.isoformat()}"' in page  # approving keeps the proposed date
    # The rectifier's own request is not theirs to decide (they are no supervisor here anyway).
    assert sign_in(hazard.people.rectifier).get("/hazards/deferrals").status_code == 403


def test_the_list_comes_in_pages(app, make_hazard, make_user, make_zone, sign_in, monkeypatch):
    from server.hazards import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    supervisor = make_user(roles=("supervisor",))
    zone = make_zone(responsible=make_user(roles=("rectifier",)))
    made = [make_hazard("reported", zone=zone, supervisor=supervisor) for _ in range(3)]
    client = sign_in(supervisor)
    first = _page(client, "/hazards", severity="general")
    assert len(_shown(first)) == 2 and "第 1 页，共 2 页" in first and 'rel="next"' in first
    assert "severity=general" in first  # the pager keeps the filters
    second = _page(client, "/hazards", page=2, severity="general")
    assert len(_shown(second)) == 1 and 'rel="prev"' in second
    assert sorted(_shown(first) + _shown(second)) == sorted(h.id for h in made)


def test_header_counts_unread_notifications(app, make_hazard, sign_in):
    hazard = make_hazard("assigned")
    rectifier = sign_in(hazard.people.rectifier)
    assert 'class="count" aria-label="1 条未读">1</span>' in _page(rectifier, "/desk")
    response = rectifier.post("/notifications/read", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "全部通知已标为已读" in page and 'class="count"' not in page
    assert "全部标为已读" not in page  # nothing left to mark


def test_service_helpers_for_the_pages(app, make_hazard):
    hazard = make_hazard("assigned")
    with app.app_context():
        row = db.session.get(Hazard, hazard.id)
        deadline = row.deadline
        assert deadlines.overdue_days(row, deadline - timedelta(seconds=1)) == 0
        assert deadlines.overdue_days(row, deadline + timedelta(seconds=1)) == 1
        assert deadlines.overdue_days(row, deadline + timedelta(days=3)) == 3
        # Reassigning starts from the current rectifier and deadline; failing leaves the date empty.
        assert queries.form_defaults(row, "assign") == (row.rectifier, schooltime.local_date(deadline))
        assert queries.form_defaults(row, "fail") == (row.rectifier, None)
        start = schooltime.month_start(datetime(2026, 2, 28, 17, 0, tzinfo=UTC))  # 1 March 01:00 in Shanghai
        assert start == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
