"""A history with known figures: ten hazards walked through the real services at chosen school times.

Now is Wednesday 11 March 2026, 12:00 in the school's time zone (Asia/Shanghai); `day k` is k days before.

Zone A: 教学楼, 教务处, category building; zone B: 综合楼, 后勤处, category fire.
- ontime (A, 张师傅): found day 10, due day 5, submitted 7, passed 6.
- late (B, 刘阿姨 of 物业公司): found 10, due 8, submitted 6, passed 5: late.
- deferred (A, 张师傅): found 9, due 7, a deferral to day 3 approved on day 8, submitted 4 (late by the
  old date), passed 3.
- failed (B, 刘阿姨): found 9, due 2, submitted 8, failed 7, submitted 6, passed 5.
- invalid (A): found 8, invalidated.
- overdue (A, 张师傅): found 8, due 4, still assigned.
- waiting (B, 刘阿姨): found 3, submitted 2: awaiting recheck.
- spot (A, the patrol): fixed on the spot at 00:30 on Monday 9 March (Sunday in UTC).
- new (B): found at 00:30 on day 1, not assigned.
- reopened (A, 张师傅): found 9, passed 8, reopened 7 due in 5 days.

Days to close of the fixed ones: 4, 5, 6, 4, 0 (mean 3.8, 90th percentile 6).
"""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from server.auth.models import User
from server.extensions import db
from server.hazards import reporting, services, states
from server.hazards.models import Category
from tests.conftest import new_client_id, photo_bytes

SCHOOL = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 11)
NOW = datetime.combine(TODAY, time(12, 0), tzinfo=SCHOOL)


def day(k: int) -> date:
    """Return the school day k days before today (negative: after)."""
    return TODAY - timedelta(days=k)


def at(k: int, hour: int = 10, minute: int = 0) -> datetime:
    """Return a school time on day k."""
    return datetime.combine(day(k), time(hour, minute), tzinfo=SCHOOL)


@pytest.fixture
def story(app, make_user, make_zone):
    """Make the history above; return the people, the zones and the hazard ids by name."""
    supervisor = make_user(roles=("supervisor",), display_name="王主任")
    patrol = make_user(roles=("patrol",), display_name="李老师")
    zhang = make_user(roles=("rectifier",), display_name="张师傅", department="后勤维修组")
    liu = make_user(roles=("rectifier",), display_name="刘阿姨", company="物业公司")
    zone_a = make_zone(code="A-1", name="教学楼楼梯", building="教学楼", department="教务处",
                       responsible=zhang)
    zone_b = make_zone(code="B-1", name="综合楼配电", building="综合楼", department="后勤处",
                       responsible=liu)
    ids = {}
    with app.app_context():
        def get(user):
            return db.session.get(User, user.id)

        def report(name, zone, when, category, **extra):
            category_id = db.session.scalar(db.select(Category.id).where(Category.code == category))
            outcome = reporting.report(get(patrol), reporting.Report(
                client_id=new_client_id(), zone_id=zone.id, category_id=category_id, severity="general",
                description=f"{name} 的描述", photos=[photo_bytes()], **extra), now=when)
            ids[name] = outcome.hazard.id
            db.session.commit()

        def act(name, user, action, when, **fields):
            if action == states.SUBMIT:
                fields.setdefault("photos", [photo_bytes((40, 160, 40))])
            services.perform(get(user), ids[name], services.Command(
                action=action, client_id=new_client_id(), **fields), now=when)
            db.session.commit()

        def assign(name, rectifier, when, due):
            act(name, supervisor, states.ASSIGN, when, rectifier_id=rectifier.id, deadline=due)

        report("ontime", zone_a, at(10), "building")
        assign("ontime", zhang, at(10, 11), day(5))
        act("ontime", zhang, states.SUBMIT, at(7))
        act("ontime", supervisor, states.PASS, at(6))

        report("late", zone_b, at(10), "fire")
        assign("late", liu, at(10, 11), day(8))
        act("late", liu, states.SUBMIT, at(6))
        act("late", supervisor, states.PASS, at(5))

        report("deferred", zone_a, at(9), "building")
        assign("deferred", zhang, at(9, 11), day(7))
        act("deferred", zhang, states.REQUEST_DEFERRAL, at(8), deadline=day(3), note="等配件")
        act("deferred", supervisor, states.APPROVE_DEFERRAL, at(8, 15))
        act("deferred", zhang, states.SUBMIT, at(4))
        act("deferred", supervisor, states.PASS, at(3))

        report("failed", zone_b, at(9), "fire")
        assign("failed", liu, at(9, 11), day(2))
        act("failed", liu, states.SUBMIT, at(8))
        act("failed", supervisor, states.FAIL, at(7), note="没修好")
        act("failed", liu, states.SUBMIT, at(6))
        act("failed", supervisor, states.PASS, at(5))

        report("invalid", zone_a, at(8), "building")
        act("invalid", supervisor, states.INVALIDATE, at(8, 11), note="重复上报")

        report("overdue", zone_a, at(8), "building")
        assign("overdue", zhang, at(8, 11), day(4))

        report("waiting", zone_b, at(3), "fire")
        assign("waiting", liu, at(3, 11), day(-3))
        act("waiting", liu, states.SUBMIT, at(2))

        report("spot", zone_a, at(2, 0, 30), "building", fixed_on_the_spot=True,
               after_photos=[photo_bytes((40, 160, 40))])

        report("new", zone_b, at(1, 0, 30), "fire")

        report("reopened", zone_a, at(9), "building")
        assign("reopened", zhang, at(9, 11), day(6))
        act("reopened", zhang, states.SUBMIT, at(8))
        act("reopened", supervisor, states.PASS, at(8, 15))
        act("reopened", supervisor, states.REOPEN, at(7), rectifier_id=zhang.id, deadline=day(-5),
            note="又松了")
    return SimpleNamespace(ids=ids, supervisor=supervisor, patrol=patrol, zhang=zhang, liu=liu,
                           zone_a=zone_a, zone_b=zone_b)
