"""The dashboard's and the scorecards' figures on a history with known answers (tests/reports/conftest.py),
and every figure's filter names exactly the hazards it counts."""

from datetime import date

import pytest
from flask_babel import gettext
from sqlalchemy import event

from server.auth.models import User
from server.extensions import db
from server.hazards import queries
from server.reports import figures
from tests.reports.conftest import NOW, TODAY, day

RANGE = figures.Period(figures.RANGE, day(10), TODAY)


@pytest.fixture
def board(app, story):
    """Return a function (what, *args) -> the figures at NOW, with `names(figure)`: the hazards listed."""
    by_id = {hazard_id: name for name, hazard_id in story.ids.items()}

    class Board:
        def __init__(self):
            self.user = db.session.get(User, story.supervisor.id)

        def dashboard(self, period=RANGE):
            return figures.dashboard(self.user, period, NOW)

        def names(self, figure) -> set[str]:
            """Return the hazards the figure's filter lists (the page its link opens), checking the count."""
            hazards, total = queries.list_hazards(self.user, filters=figure.filter, now=NOW, limit=1000)
            assert total == figure.value, (figure, total)
            return {by_id[h.id] for h in hazards}

    with app.app_context():
        yield Board()


def test_headline_as_things_stand_now(board):
    headline = board.dashboard().headline
    assert {name: board.names(figure) for name, figure in headline.items()} == {
        "open": {"overdue", "waiting", "new", "reopened"},
        "overdue": {"overdue"},
        "awaiting_recheck": {"waiting"},
        # Since Monday 9 March in the school's time zone: the spot fix at 00:30 that Monday is in it.
        "closed_this_week": {"spot"},
    }


def test_rates_and_days_of_the_period(board):
    shown = board.dashboard()
    valid = {"ontime", "late", "deferred", "failed", "overdue", "waiting", "spot", "new", "reopened"}
    fixed = {"ontime", "late", "deferred", "failed", "spot"}
    assert board.names(shown.found) == valid  # the invalidated one left out
    assert board.names(shown.rectification.part) == fixed  # "failed" counted once
    assert board.names(shown.rectification.whole) == valid
    assert shown.rectification.value == pytest.approx(5 / 9)
    # On time: the deferral's new date counts; the failed one's second submit was before its deadline.
    assert board.names(shown.on_time.part) == {"ontime", "deferred", "failed", "spot"}
    assert board.names(shown.on_time.whole) == fixed
    assert shown.on_time.value == pytest.approx(4 / 5)
    assert board.names(shown.late) == {"late"}
    assert board.names(shown.days.closed) == fixed
    assert (shown.days.mean, shown.days.p90) == (3.8, 6.0)


@pytest.mark.parametrize(("period", "found", "fixed"), [
    (figures.Period(figures.WEEK, date(2026, 3, 9), TODAY), {"spot", "new"}, {"spot"}),
    (figures.Period(figures.RANGE, day(9), day(9)), {"deferred", "failed", "reopened"},
     {"deferred", "failed"}),
    (figures.Period(figures.RANGE, date(2026, 1, 1), date(2026, 1, 31)), set(), set()),
])
def test_the_period_is_the_days_hazards_were_found(board, period, found, fixed):
    shown = board.dashboard(period)
    assert board.names(shown.found) == found
    assert board.names(shown.fixed) == fixed


@pytest.mark.parametrize(("dimension", "label", "expected"), [
    ("category", "消防安全", {"found": {"late", "failed", "waiting", "new"}, "open": {"waiting", "new"},
                            "overdue": set(), "fixed": {"late", "failed"}}),
    ("building", "教学楼", {"found": {"ontime", "deferred", "overdue", "spot", "reopened"},
                         "open": {"overdue", "reopened"}, "overdue": {"overdue"},
                         "fixed": {"ontime", "deferred", "spot"}}),
    ("zone", "B-1 · 综合楼配电", {"found": {"late", "failed", "waiting", "new"}, "open": {"waiting", "new"},
                               "overdue": set(), "fixed": {"late", "failed"}}),
    ("department", "教务处", {"found": {"ontime", "deferred", "overdue", "spot", "reopened"},
                           "open": {"overdue", "reopened"}, "overdue": {"overdue"},
                           "fixed": {"ontime", "deferred", "spot"}}),
    ("rectifier", "张师傅", {"found": {"ontime", "deferred", "overdue", "reopened"},
                          "open": {"overdue", "reopened"}, "overdue": {"overdue"},
                          "fixed": {"ontime", "deferred"}}),
    ("rectifier", "Not assigned", {"found": {"new"}, "open": {"new"}, "overdue": set(), "fixed": set()}),
    ("contractor", "物业公司", {"found": {"late", "failed", "waiting"}, "open": {"waiting"}, "overdue": set(),
                            "fixed": {"late", "failed"}}),
    ("contractor", "School staff", {"found": {"ontime", "deferred", "overdue", "spot", "reopened"},
                                    "open": {"overdue", "reopened"}, "overdue": {"overdue"},
                                    "fixed": {"ontime", "deferred", "spot"}}),
])
def test_breakdowns(board, dimension, label, expected):
    groups = {group.label: group for group in board.dashboard().breakdowns[dimension]}
    label = gettext(label)  # "Not assigned" and "School staff" in the language of the catalog
    assert {name: board.names(figure) for name, figure in groups[label].figures.items()} == expected


def test_breakdown_groups_add_up_and_contractors_leave_out_the_unassigned(board):
    shown = board.dashboard()
    for dimension in ("category", "building", "zone", "department", "rectifier"):
        assert sum(g.figures["found"].value for g in shown.breakdowns[dimension]) == 9, dimension
    assert sum(g.figures["found"].value for g in shown.breakdowns["contractor"]) == 8  # "new" has nobody


def test_trend_found_against_closed_per_week(board):
    weeks = board.dashboard().trend
    assert len(weeks) == 12 and weeks[-1].monday == date(2026, 3, 9) and weeks[0].monday == date(2025, 12, 22)
    seen = {week.monday: (board.names(week.found), board.names(week.closed)) for week in weeks[-3:]}
    assert seen == {
        date(2026, 2, 23): ({"ontime", "late"}, set()),
        date(2026, 3, 2): ({"deferred", "failed", "overdue", "waiting", "reopened"},
                           {"ontime", "late", "failed", "deferred"}),  # "reopened" is no longer closed
        date(2026, 3, 9): ({"spot", "new"}, {"spot"}),
    }
    assert all(week.found.value == week.closed.value == 0 for week in weeks[:-3])


@pytest.mark.parametrize(("kind", "label", "expected", "mean_days"), [
    ("rectifier", "张师傅", {"assigned": {"ontime", "deferred", "overdue", "reopened"},
                          "fixed": {"ontime", "deferred"}, "on_time": {"ontime", "deferred"}, "failed": set(),
                          "reopened": {"reopened"}, "overdue": {"overdue"}}, 5.0),
    ("rectifier", "刘阿姨", {"assigned": {"late", "failed", "waiting"}, "fixed": {"late", "failed"},
                          "on_time": {"failed"}, "failed": {"failed"}, "reopened": set(),
                          "overdue": set()}, 4.5),
    ("rectifier", "李老师", {"assigned": {"spot"}, "fixed": {"spot"}, "on_time": {"spot"}, "failed": set(),
                          "reopened": set(), "overdue": set()}, 0.0),
    ("department", "后勤处", {"assigned": {"late", "failed", "waiting", "new"}, "fixed": {"late", "failed"},
                           "on_time": {"failed"}, "failed": {"failed"}, "reopened": set(),
                           "overdue": set()}, 4.5),
    ("contractor", "物业公司", {"assigned": {"late", "failed", "waiting"}, "fixed": {"late", "failed"},
                            "on_time": {"failed"}, "failed": {"failed"}, "reopened": set(), "overdue": set()},
     4.5),
    ("contractor", "School staff", {"assigned": {"ontime", "deferred", "overdue", "spot", "reopened"},
                                    "fixed": {"ontime", "deferred", "spot"},
                                    "on_time": {"ontime", "deferred", "spot"}, "failed": set(),
                                    "reopened": {"reopened"}, "overdue": {"overdue"}}, round(10 / 3, 1)),
])
def test_scorecards(board, kind, label, expected, mean_days):
    rows = {row.label: row for row in figures.scorecard(board.user, kind, RANGE, NOW)}
    label = gettext(label)
    assert {name: board.names(figure) for name, figure in rows[label].figures.items()} == expected
    assert rows[label].mean_days == mean_days


def test_a_scorecard_counts_who_is_overdue_now_whatever_the_period(board):
    month = figures.Period(figures.RANGE, day(2), TODAY)  # "overdue" was found before it
    rows = {row.label: row for row in figures.scorecard(board.user, "rectifier", month, NOW)}
    assert board.names(rows["张师傅"].figures["overdue"]) == {"overdue"}
    assert board.names(rows["张师傅"].figures["assigned"]) == set()
    assert gettext("Not assigned") not in rows  # a scorecard is about people


def test_a_scorecard_lists_only_who_had_work_in_the_period_or_is_overdue_now(board):
    """Not everyone ever named on a hazard: 李老师 fixed one on the spot and 刘阿姨's work was earlier; both
    made a row of zeros."""
    today = figures.Period(figures.RANGE, TODAY, TODAY)
    rows = {row.label: {name: board.names(figure) for name, figure in row.figures.items()}
            for row in figures.scorecard(board.user, "rectifier", today, NOW)}
    assert rows == {"张师傅": {"assigned": set(), "fixed": set(), "on_time": set(), "failed": set(),
                              "reopened": set(), "overdue": {"overdue"}}}


@pytest.mark.parametrize(("today", "configured", "start"), [
    (date(2026, 3, 11), None, date(2026, 2, 1)),
    (date(2026, 1, 20), None, date(2025, 9, 1)),
    (date(2026, 9, 1), None, date(2026, 9, 1)),
    (date(2026, 8, 31), None, date(2026, 2, 1)),
    (date(2026, 3, 11), "2026-02-24", date(2026, 2, 24)),
    (date(2026, 3, 11), "2026-09-01", date(2026, 2, 1)),  # a term not begun yet: the rule
])
def test_term_start(app, today, configured, start):
    app.config["TERM_START"] = configured
    with app.app_context():
        assert figures.term_start(today) == start


@pytest.mark.parametrize(("args", "expected"), [
    ({}, ("week", date(2026, 3, 9), TODAY)),
    ({"period": "month"}, ("month", date(2026, 3, 1), TODAY)),
    ({"period": "term"}, ("term", date(2026, 2, 1), TODAY)),
    ({"period": "year"}, ("year", date(2026, 1, 1), TODAY)),
    ({"period": "range", "from": "2026-02-03", "to": "2026-02-10"},
     ("range", date(2026, 2, 3), date(2026, 2, 10))),
])
def test_period_chooser(app, args, expected):
    with app.app_context():
        period = figures.period_from(args, TODAY)
    assert (period.kind, period.first, period.last) == expected


@pytest.mark.parametrize("args", [
    {"period": "decade"}, {"period": "range"}, {"period": "range", "from": "2026-02-10", "to": "2026-02-03"},
    {"period": "range", "from": "soon", "to": "2026-02-03"},
])
def test_period_chooser_refuses(app, args):
    with app.app_context(), pytest.raises(figures.BadFilter):
        figures.period_from(args, TODAY)


@pytest.mark.parametrize("dimension", list(figures.DIMENSIONS))
def test_breakdowns_from_one_read_are_each_breakdowns_own(board, dimension):
    """The dashboard's breakdowns, summed from one GROUP BY, are what one GROUP BY per dimension gives."""
    def shown(groups):
        return [(g.key, g.label, {name: (f.value, f.filter) for name, f in g.figures.items()})
                for g in groups]

    together = figures.breakdowns(board.user, RANGE.filter, figures.DIMENSIONS, figures.BREAKDOWN, NOW)
    alone = figures.breakdown(board.user, RANGE.filter, figures.DIMENSIONS[dimension], figures.BREAKDOWN, NOW)
    assert shown(together[dimension]) == shown(alone)


def test_the_dashboard_reads_the_periods_hazards_once_for_its_breakdowns(app, board):
    """Nine statements whatever the period: the headline, the summary, days to close (two), the breakdowns'
    one GROUP BY and the zones, categories and people it names (three), the trend (one UNION ALL)."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        board.dashboard()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert (len(statements), sum("GROUP BY" in s for s in statements)) == (9, 1)
