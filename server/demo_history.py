"""A term of demo history: patrol visits and about 300 hazards in every state, made through the real services.

The term is planned first (pure: one random.Random with a fixed seed, every time relative to `end`, the start
of the school's current day), then replayed in time order through the services that the field app and the
desk use (patrol visits, reports, every action), each with its `now` and device time in the past. So the state
machine, the events, the CHECK constraints and the notifications are those of real use, and two seedings on
the same day give the same history. Steps planned for `end` or later are left out: that is what leaves the
recent hazards reported, assigned, awaiting recheck or waiting for a deferral decision.
"""

import random
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update

from server.auth.models import User
from server.extensions import db
from server.hazards import deadlines, reporting, services, states
from server.hazards.models import Category
from server.notifications import services as notices
from server.notifications.models import Notification
from server.patrols import services as patrols
from server.patrols.models import NO_HAZARD
from server.schooltime import local_date, school_tz, start_of_day
from server.zones.models import Zone

from . import demo_photos

SEED = 20260901
TERM_DAYS = 120
HAZARD_COUNT = 300
WORK_START, WORK_END = time(8, 0), time(17, 30)

# Who patrols where: the safety office the classrooms, the guard the gates and plant rooms, the maintenance
# lead the sports grounds. sun (a supervisor who also patrols) takes the dormitory and the canteen.
PATROL_BY_BUILDING = {"教学楼": "li", "学生宿舍楼": "sun", "食堂": "sun", "体育馆": "zhao", "操场": "zhao",
                      "锅炉房": "zhou", "综合楼": "zhou", "校门": "zhou", "校园周边": "zhou"}
STAND_IN = {"li": "sun", "sun": "li", "zhao": "li", "zhou": "li"}  # who covers a patrol's absence
WEEKEND_ZONES = ("XM-GATE", "GL-BOILER", "PD-ROOM")  # the guard's weekend round: the gate and the plant rooms
UNDERGROUND = ("B1",)  # no signal on these floors: records wait in the outbox and are sent later
MISS_CHANCE = {True: 0.04, False: 0.12}  # a due zone left out of the round, for key areas and the others

# The categories that make sense in each zone, by the start of its code; the first ones come up most.
ZONE_CATEGORIES = {
    "JX-LIFT": ("equipment", "electricity", "building"),
    "JX-STAIR": ("building", "fire"),
    "JX-REHAB": ("sports", "building", "electricity", "other"),
    "JX-": ("fire", "building", "electricity", "other"),
    "SS-BATH": ("dormitory", "building", "electricity"),
    "SS-": ("dormitory", "fire", "electricity", "building"),
    "ST-GAS": ("equipment", "fire"),
    "ST-": ("food", "fire", "electricity", "building"),
    "TY-": ("sports", "building", "electricity"),
    "GL-": ("equipment", "fire", "electricity"),
    "PD-": ("electricity", "fire"),
    "XM-": ("campus", "building", "electricity"),
    "ZH-": ("fire", "electricity", "building"),
}

# Who fixes what kind of fault.
TRADES = {"repair": "zhang", "clean": "liu", "electric": "chen", "fire": "zhang", "kitchen": "qian",
          "boiler": "wu", "lift": "ma", "rehab": "zheng", "sports": "zhao"}


@dataclass(frozen=True)
class Problem:
    """A hazard as patrols describe it, who fixes it, what the rectifier writes, and where it happens."""

    description: str
    trade: str
    fix: str
    zones: tuple[str, ...] = ()  # starts of zone codes where it can happen; empty: anywhere of its category


PROBLEMS = {
    "building": (
        Problem("楼梯扶手松动，学生扶行时晃动明显", "repair", "已重新紧固扶手螺栓并加装膨胀螺丝",
                ("JX-STAIR", "SS-")),
        Problem("走廊吊顶一块扣板脱落，边缘下垂", "repair", "已更换扣板并检查周边吊顶龙骨"),
        Problem("窗户限位器损坏，窗扇可完全推开", "repair", "已更换限位器，开启角度限制在10厘米内"),
        Problem("墙面瓷砖空鼓开裂，有脱落风险", "repair", "已铲除空鼓瓷砖重新铺贴"),
        Problem("地面防滑条脱落，台阶边缘打滑", "repair", "已重新粘贴防滑条"),
        Problem("门把手脱落，门无法关紧", "repair", "已更换门把手和锁舌"),
        Problem("无障碍坡道扶手护栏焊点开裂", "repair", "已补焊并做防锈处理"),
    ),
    "fire": (
        Problem("消防通道堆放杂物", "clean", "已清理杂物，通道畅通"),
        Problem("灭火器压力不足，指针在红区", "fire", "已送检充装，换上备用灭火器"),
        Problem("安全出口指示灯不亮", "electric", "已更换指示灯电池和灯管"),
        Problem("消火栓箱被柜子遮挡", "clean", "已移开柜子，消火栓箱前保持一米通道"),
        Problem("防火门被木楔固定常开", "fire", "已拿走木楔，闭门器调整到位"),
        Problem("应急照明灯损坏，断电测试不亮", "electric", "已更换应急照明灯"),
        Problem("灭火器过期未年检", "fire", "已更换在有效期内的灭火器"),
    ),
    "electricity": (
        Problem("插线板私拉乱接，多个插线板串联", "electric", "已拆除串联插线板，增设固定插座"),
        Problem("配电箱未上锁，箱门敞开", "electric", "已加锁，钥匙交值班室保管"),
        Problem("墙面电线裸露，绝缘层破损", "electric", "已更换破损电线并穿管保护"),
        Problem("插座面板破损，可触及带电部分", "electric", "已更换插座面板"),
        Problem("宿舍内使用大功率电器（电热毯）", "clean", "已收缴违规电器并对学生进行安全教育", ("SS-",)),
        Problem("配电室地面绝缘垫缺失", "electric", "已铺设绝缘垫", ("PD-",)),
    ),
    "food": (
        Problem("冷藏柜温度偏高，显示8℃", "kitchen", "已调整温控并请厂家检修压缩机", ("ST-",)),
        Problem("生熟案板未分开使用", "kitchen", "已分色标识案板，重新培训后厨人员", ("ST-",)),
        Problem("食品留样记录不全，缺两天记录", "kitchen", "已补全留样登记，指定专人负责", ("ST-",)),
        Problem("仓库有过期调料未清理", "kitchen", "已清理过期调料，建立每周检查表", ("ST-",)),
        Problem("仓库门口防鼠板缺失", "kitchen", "已安装防鼠板", ("ST-",)),
        Problem("餐具消毒柜未开启消毒记录", "kitchen", "已恢复消毒并按餐次登记", ("ST-",)),
    ),
    "dormitory": (
        Problem("上铺床护栏松动", "repair", "已紧固护栏并检查同层其他床铺", ("SS-",)),
        Problem("淋浴间地面湿滑，防滑垫缺失", "clean", "已铺设防滑垫，增加拖地频次", ("SS-",)),
        Problem("宿舍门锁损坏，无法从内反锁", "repair", "已更换门锁", ("SS-",)),
        Problem("卫生间下水堵塞，地面积水", "clean", "已疏通下水道，清理积水", ("SS-",)),
        Problem("宿舍楼道夜间照明灯损坏", "electric", "已更换灯具", ("SS-",)),
    ),
    "sports": (
        Problem("篮球架底座螺丝松动", "sports", "已紧固底座螺丝并加配重", ("TY-",)),
        Problem("跑道塑胶破损起翘，易绊倒", "sports", "已用塑胶修补剂补平", ("TY-FIELD",)),
        Problem("器材室器械堆放不稳，有倒塌风险", "sports", "已上架归位并固定货架", ("TY-",)),
        Problem("康复训练器械保护垫破损", "rehab", "已更换保护垫", ("JX-REHAB",)),
        Problem("平衡训练步道固定螺栓外露", "rehab", "已更换沉头螺栓并加保护套", ("JX-REHAB",)),
    ),
    "campus": (
        Problem("围墙局部破损，有缺口", "repair", "已砌补缺口并加装防护网", ("XM-",)),
        Problem("门卫室监控画面缺失一路", "electric", "已更换摄像头电源，画面恢复", ("XM-",)),
        Problem("校门口减速带损坏", "repair", "已更换减速带", ("XM-",)),
        Problem("西侧门门禁失灵，可随意推开", "electric", "已维修门禁控制器", ("XM-",)),
    ),
    "equipment": (
        Problem("电梯年检合格标志过期未更换", "lift", "已完成年检并张贴新的合格标志", ("JX-LIFT",)),
        Problem("电梯轿厢应急电话无人应答", "lift", "已维修应急电话线路，测试接通", ("JX-LIFT",)),
        Problem("电梯平层误差大，轿厢与楼面有高差", "lift", "已调整平层装置", ("JX-LIFT",)),
        Problem("锅炉压力表未按期校验", "boiler", "已送检压力表，更换校验合格的备用表", ("GL-",)),
        Problem("安全阀铅封缺失", "boiler", "已请特检院重新校验并铅封", ("GL-",)),
        Problem("燃气管道软管老化开裂", "kitchen", "已更换为金属波纹管", ("ST-GAS",)),
        Problem("燃气泄漏报警器未通电", "kitchen", "已恢复供电并测试报警", ("ST-GAS",)),
    ),
    "other": (
        Problem("室外排水沟盖板缺失", "repair", "已补装盖板"),
        Problem("药品柜未上锁", "rehab", "已上锁，钥匙由专人保管", ("JX-REHAB",)),
        Problem("绿化树枝遮挡路灯", "clean", "已修剪树枝"),
    ),
}

ASSIGN_NOTES = ("", "", "", "请尽快处理", "请按期整改并上传整改照片", "注意做好现场防护")
PASS_NOTES = ("", "", "复查合格", "整改到位", "现场复查合格，予以销号")
FAIL_NOTES = ("整改不彻底，现场仍有问题", "照片与现场不符，请重新整改", "仍有松动，需要加固",
              "杂物只清理了一部分", "更换的配件规格不符")
DEFERRAL_REASONS = ("需采购配件，预计一周到货", "需厂家上门维修，已预约下周", "需停电检修，安排在周末",
                    "维修费用待审批", "涉及外包单位，需协调施工时间")
DECLINE_NOTES = ("配件可先用库存替代，请按期完成", "可先临时处置，按原期限完成", "不属于需要延期的情况")
INVALID_REASONS = ("重复上报", "经核实不属于隐患", "不属于本校管理范围（市政设施）", "已在其他隐患中处理")
REOPEN_NOTES = ("同一问题再次出现，整改不彻底", "回访发现问题复发", "上级检查时发现仍未消除")

# How each hazard's story goes after the report (weights): most are assigned, fixed and passed.
STORIES = (("normal", 60), ("spot", 12), ("fail", 8), ("deferral", 7), ("declined", 3), ("reassign", 4),
           ("reopen", 3), ("invalid", 4), ("stalled", 2))
SEVERITY_WEIGHTS = ((states.GENERAL, 78), (states.MAJOR, 18), (states.CRITICAL, 4))
# What a reporter puts up at once to keep people away (临时措施), chosen by the hazard's number (not drawn, so
# the history drawn from the seed stays the same).
INTERIM_CONTROLS = ((states.CORDONED, "已拉警戒线"), (states.SIGN_POSTED, "已放置“注意安全”警示牌"),
                    (states.CLOSED_OFF, "已暂停使用并上锁"), (states.GUARDED, "已安排保安现场值守"))
PLAN_FUNDING = ("学校维修经费，预计 800 元", "后勤专项经费，预计 3000 元", "由维保单位承担")


# -- The plan -------------------------------------------------------------------------------------------

@dataclass
class Step:
    """One thing done at `at` (when the server received it): a visit, a report, an action, a sweep."""

    at: datetime
    seq: int
    kind: str  # "visit" | "report" | "act" | "sweep"
    user: str = ""
    hazard: int = -1  # the planned hazard's index
    data: dict = field(default_factory=dict)


@dataclass
class PlannedVisit:
    """A visit of a zone on its round."""

    zone: Zone
    patrol: str
    at: datetime
    client_id: str
    hazards: int = 0


class Planner:
    """Plans the term: the rounds, the hazards found on them and what happens to each hazard."""

    def __init__(self, end: datetime, zones: list[Zone], categories: dict[str, Category], *,
                 days: int = TERM_DAYS, hazards: int = HAZARD_COUNT):
        self.rng = random.Random(SEED)  # noqa: S311 (a repeatable demo, not a secret)
        self.tz = school_tz()
        self.end = end
        self.days = days
        self.hazard_count = hazards
        self.zones = zones
        self.categories = categories
        self.steps: list[Step] = []
        self.visits: list[PlannedVisit] = []

    def add(self, at: datetime, kind: str, **kwargs) -> Step:
        """Add a step to the plan (steps at `end` or later are dropped when replayed)."""
        step = Step(at, len(self.steps), kind, **kwargs)
        self.steps.append(step)
        return step

    def local(self, day: date, clock: time) -> datetime:
        """Return a school-time moment as UTC."""
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)

    def working(self, moment: datetime) -> datetime:
        """Move a moment into working hours (weekdays 8:00–17:30), to the next morning if need be."""
        here = moment.astimezone(self.tz)
        if here.weekday() < 5 and WORK_START <= here.time() <= WORK_END:
            return moment
        day = here.date() if here.time() < WORK_START else here.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return self.local(day, WORK_START) + timedelta(minutes=self.rng.randint(5, 90))

    def later(self, moment: datetime, low_hours: float, high_hours: float) -> datetime:
        """Return a working-hours moment some hours after `moment`."""
        return self.working(moment + timedelta(hours=self.rng.uniform(low_hours, high_hours)))

    # -- Rounds --

    def plan_rounds(self) -> None:
        """Plan every patrol round of the term: due zones visited, some missed, a few absences."""
        first = local_date(self.end) - timedelta(days=self.days)
        days = [first + timedelta(days=n) for n in range(self.days)]
        school_days = [d for d in days if d.weekday() < 5]
        absent = {}  # a patrol off sick or on training for two or three school days
        for patrol in sorted(STAND_IN):
            start = self.rng.randrange(len(school_days) - 3)
            absent[patrol] = set(school_days[start:start + self.rng.randint(2, 3)])
        # Weekly and custom zones start the term on different days, so rounds are not all on Monday.
        last = {}
        for zone in self.zones:
            period = patrols.period_days(zone)
            last[zone.code] = first - timedelta(days=period - self.rng.randrange(min(5, period)))
        for day in days:
            weekend = day.weekday() >= 5
            rounds: dict[str, list[Zone]] = defaultdict(list)
            for zone in self.zones:
                if weekend and zone.code not in WEEKEND_ZONES:
                    continue
                if (day - last[zone.code]).days < patrols.period_days(zone):
                    continue  # not due
                patrol = PATROL_BY_BUILDING[zone.building]
                if day in absent.get(patrol, ()):
                    if self.rng.random() < 0.5:  # the stand-in covers the key areas only, and not always
                        continue
                    patrol = STAND_IN[patrol]
                    if not zone.key_area:
                        continue
                if self.rng.random() < MISS_CHANCE[zone.key_area]:
                    continue  # missed: still due tomorrow
                last[zone.code] = day
                rounds[patrol].append(zone)
            for patrol, zones in sorted(rounds.items()):
                clock = time(8, self.rng.randint(10, 50)) if self.rng.random() < 0.7 \
                    else time(14, self.rng.randint(0, 45))
                at = self.local(day, clock)
                for zone in zones:
                    self.visits.append(PlannedVisit(zone, patrol, at, f"demo-v{len(self.visits):05d}"))
                    at += timedelta(minutes=self.rng.randint(4, 12))
            self.add(self.local(day, time(7, 30)), "sweep")  # the hourly deadline pass, once a day is enough

    # -- Hazards --

    def plan_hazards(self) -> None:
        """Pick the visits where hazards were found (key areas more often) and plan each hazard's story."""
        weights = [3 if v.zone.key_area else 1 for v in self.visits]
        found = sorted(self.rng.choices(range(len(self.visits)), weights=weights, k=self.hazard_count))
        reported = []
        for index in found:  # visits are in time order, so hazards are numbered in time order too
            visit = self.visits[index]
            visit.hazards += 1
            reported.append((visit, visit.at + timedelta(minutes=2 * visit.hazards)))
        forced = self.forced_stories([at for _visit, at in reported])
        for number, (visit, at) in enumerate(reported):
            self.plan_hazard(number, visit, at, forced.get(number))
        for visit in self.visits:
            if not visit.hazards:
                self.add(visit.at, "visit", user=visit.patrol, data={"visit": visit})

    def choose_problem(self, zone: Zone) -> tuple[str, Problem]:
        """Return a category and a problem that fit the zone."""
        kinds = next(v for k, v in ZONE_CATEGORIES.items() if zone.code.startswith(k))
        while True:
            category = self.rng.choices(kinds, weights=range(len(kinds) + 2, 2, -1))[0]
            fitting = [p for p in PROBLEMS[category] if not p.zones or zone.code.startswith(p.zones)]
            if fitting:
                return category, self.rng.choice(fitting)

    def forced_stories(self, times: list[datetime]) -> dict[int, str]:
        """Return the stories some hazards must have, so that every state and action is there on any day.

        Chance alone would leave, now and then, no deferral waiting or nothing overdue; these few are placed
        where their state lasts until `end`: one of each story early in the term, long-overdue ones a few
        weeks back, work in progress last week, and the newest reports not yet assigned.
        """
        def numbers(first_days: int, last_days: int) -> list[int]:
            return [n for n, at in enumerate(times)
                    if self.end - timedelta(days=first_days) <= at < self.end - timedelta(days=last_days)]

        forced = {}
        for stories, window in (
                (("fail", "deferral", "declined", "reassign", "reopen", "invalid", "spot"), (100, 40)),
                (("stalled", "stalled", "stalled"), (30, 15)),
                (("asked", "asked", "submitted", "submitted", "assigned", "assigned"), (10, 3))):
            forced.update(zip(numbers(*window), stories, strict=False))
        forced.update((n, "new") for n in range(max(0, len(times) - 3), len(times)))
        return forced

    def plan_hazard(self, number: int, visit: PlannedVisit, at: datetime, forced: str | None) -> None:
        """Plan one hazard: its report, then the actions of its story, each at a plausible time."""
        rng = self.rng
        category, problem = self.choose_problem(visit.zone)
        severity = rng.choices(*zip(*SEVERITY_WEIGHTS, strict=True))[0]
        story = forced or rng.choices(*zip(*STORIES, strict=True))[0]
        rectifier = TRADES[problem.trade]
        reporter = visit.patrol
        photo_seed = f"{SEED}-{number}"
        spot = story == "spot" and rectifier not in ("ma", "wu")  # a contractor's job is never a patrol's
        self.add(at, "report", user=reporter, hazard=number, data={
            "visit": visit, "category": category, "problem": problem, "severity": severity, "spot": spot,
            "photos": 2 if rng.random() < 0.25 else 1, "photo_seed": photo_seed})
        if not (spot and severity == states.GENERAL) and (severity != states.GENERAL or number % 5 == 0):
            kind, note = INTERIM_CONTROLS[number % len(INTERIM_CONTROLS)]
            self.act(number, at + timedelta(minutes=15), reporter, states.INTERIM_CONTROL,
                     note=note, fields={"interim_kind": kind})
        if story == "new":
            if states.needs_plan(severity) and number % 2 == 0:  # half of them have their plan already
                self.plan(number, at + timedelta(hours=1), category, problem, severity)
            return  # waits in the queue for a supervisor
        checker = "sun" if rng.random() < 0.3 and reporter != "sun" else "wang"
        if spot:
            if severity != states.GENERAL:  # fixed on the spot, but a major one is rechecked
                self.act(number, self.later(at, 2, 30), checker, states.PASS, note=rng.choice(PASS_NOTES))
            return
        t = self.later(at, 0.3, 20)
        if story == "invalid" and rng.random() < 0.7:
            self.act(number, t, "wang", states.INVALIDATE, note=rng.choice(INVALID_REASONS))
            return
        deadline = self.deadline_day(t, category, severity)
        if states.needs_plan(severity):  # a major hazard is assigned with its plan (五到位)
            self.plan(number, t, category, problem, severity)
        self.act(number, t, "wang", states.ASSIGN, rectifier=rectifier, deadline=deadline,
                 note=rng.choice(ASSIGN_NOTES))
        if story == "invalid":
            self.act(number, self.later(t, 2, 30), "wang", states.INVALIDATE,
                     note=rng.choice(INVALID_REASONS))
            return
        if story in ("stalled", "assigned"):
            return  # nobody has acted yet: overdue once its deadline passes
        if story == "reassign":
            t = self.later(t, 3, 30)
            others = sorted({p for p in TRADES.values() if p not in (rectifier, "ma", "wu")})
            rectifier = rng.choice(others)
            deadline = max(deadline, local_date(t) + timedelta(days=1))  # never a day already past
            self.act(number, t, "wang", states.ASSIGN, rectifier=rectifier, deadline=deadline,
                     note="原责任人反映不属于其职责，改派")
        if story in ("deferral", "declined", "asked"):
            t = min(self.later(t, 4, 40), self.local(deadline, time(12, 0)))
            wanted = deadline + timedelta(days=rng.randint(4, 10))
            self.act(number, t, rectifier, states.REQUEST_DEFERRAL, note=rng.choice(DEFERRAL_REASONS),
                     deadline=wanted)
            if story == "asked":
                return  # the request waits for a supervisor's decision
            t = self.later(t, 1, 20)
            if story == "deferral":
                self.act(number, t, "wang", states.APPROVE_DEFERRAL, note=rng.choice(("", "同意延期")))
                deadline = wanted
            else:
                self.act(number, t, "wang", states.DECLINE_DEFERRAL, note=rng.choice(DECLINE_NOTES))
        t = self.submit_and_check(number, t, deadline, rectifier, checker, problem, story == "fail",
                                  recheck=story != "submitted")
        if story == "reopen":
            t = self.later(t, 24 * 5, 24 * 20)
            self.act(number, t, "wang", states.REOPEN, note=rng.choice(REOPEN_NOTES),
                     deadline=self.deadline_day(t, category, severity))
            self.submit_and_check(number, t, self.deadline_day(t, category, severity), rectifier, checker,
                                  problem, False)

    def plan(self, number: int, t: datetime, category: str, problem: Problem, severity: str) -> None:
        """Plan the rectification plan of major hazard `number` (措施、资金、责任人、时限、应急措施)."""
        self.act(number, t, "wang", states.PLAN, fields={
            "measures": problem.fix.removeprefix("已"), "funding": PLAN_FUNDING[number % len(PLAN_FUNDING)],
            "responsible": "王主任", "time_limit": self.deadline_day(t, category, severity),
            "emergency_measures": "整改完成前设置警戒线和警示标志，禁止学生进入"})

    def submit_and_check(self, number: int, t: datetime, deadline: date, rectifier: str, checker: str,
                         problem: Problem, fails: bool, *, recheck: bool = True) -> datetime:
        """Plan the rectification and its recheck (failed once first if `fails`); return the last time."""
        rng = self.rng
        due = self.local(deadline, WORK_END)
        if rng.random() < 0.2:  # late: after the deadline
            t = self.later(due, 4, 24 * 4)
        else:
            t = self.working(t + (due - t) * rng.uniform(0.1, 0.9)) if due > t else self.later(t, 1, 6)
        self.act(number, t, rectifier, states.SUBMIT, note=problem.fix, photos=1)
        if not recheck:
            return t  # awaits its recheck
        t = self.later(t, 1, 30)
        if fails:
            new_deadline = max(deadline, local_date(t) + timedelta(days=rng.randint(2, 4)))
            self.act(number, t, checker, states.FAIL, note=rng.choice(FAIL_NOTES), rectifier=rectifier,
                     deadline=new_deadline if new_deadline > deadline else None, photos=rng.randint(0, 1))
            t = self.later(t, 4, 40)
            self.act(number, t, rectifier, states.SUBMIT, note="已按复查意见重新整改：" + problem.fix,
                     photos=1)
            t = self.later(t, 1, 30)
        self.act(number, t, checker, states.PASS, note=rng.choice(PASS_NOTES), photos=int(rng.random() < 0.2))
        return t

    def deadline_day(self, at: datetime, category: str, severity: str) -> date:
        """Return the deadline day the desk proposes: the category's period from the day of `at`."""
        return local_date(at) + timedelta(days=deadlines.period_days(self.categories[category], severity))

    def act(self, number: int, at: datetime, user: str, action: str, **data) -> None:
        """Plan an action on the planned hazard `number`."""
        self.add(at, "act", user=user, hazard=number, data={"action": action, **data})


# -- The replay -----------------------------------------------------------------------------------------

class Replay:
    """Runs the plan through the services, in time order, with each step's own `now`."""

    def __init__(self, planner: Planner):
        self.plan = planner
        self.rng = random.Random(SEED + 1)  # noqa: S311 (a repeatable demo, not a secret)
        self.users = {u.username: u.id for u in db.session.scalars(select(User))}
        self.hazards: dict[int, int] = {}  # planned index -> hazard id
        self.zones: dict[int, Zone] = {}  # planned index -> its zone
        self.categories: dict[int, str] = {}
        self.stamps: list[tuple[int, datetime]] = []  # (newest notification id after a step, its time)

    def user(self, username: str) -> User:
        """Return a user of the demo by username."""
        return db.session.get(User, self.users[username])

    def device(self, step: Step, zone: Zone | None) -> dict:
        """Return when the device did it and, mostly, the label scanned just before (work done on site)."""
        offline = zone is not None and zone.floor in UNDERGROUND
        delay = self.rng.randint(600, 2400) if offline else self.rng.randint(1, 20)
        device_at = step.at - timedelta(seconds=delay)
        if zone is None or self.rng.random() < 0.15:
            return {"device_at": device_at}
        scanned_at = device_at - timedelta(seconds=self.rng.randint(20, 240))
        return {"device_at": device_at, "scanned_at": scanned_at, "zone_token": zone.qr_token}

    def run(self) -> None:
        """Replay every step before `end`, then stamp notifications with the times they were made."""
        for step in sorted(self.plan.steps, key=lambda s: (s.at, s.seq)):
            if step.at >= self.plan.end:
                continue
            if step.hazard >= 0 and step.kind == "act" and step.hazard not in self.hazards:
                continue  # its report fell after the end
            getattr(self, step.kind)(step)
            if step.kind == "visit":
                continue  # a visit notifies nobody
            newest = db.session.scalar(select(func.max(Notification.id)))
            if newest is not None and (not self.stamps or newest > self.stamps[-1][0]):
                self.stamps.append((newest, step.at))
        self.stamp_notifications()

    def visit(self, step: Step) -> None:
        """Record a patrol visit with no hazard found."""
        planned = step.data["visit"]
        patrols.record_visit(self.user(step.user), patrols.Visit(
            client_id=planned.client_id, zone_id=planned.zone.id, result=NO_HAZARD,
            **self.device(step, planned.zone)), now=step.at)

    def report(self, step: Step) -> None:
        """Report a hazard with its before photos (and after photos when fixed on the spot)."""
        data, zone = step.data, step.data["visit"].zone
        category = self.plan.categories[data["category"]]
        seed = data["photo_seed"]
        before = [demo_photos.draw(f"{seed}-{n}", zone.building, category.code, demo_photos.BEFORE)
                  for n in range(data["photos"])]
        after = [demo_photos.draw(f"{seed}-0", zone.building, category.code, demo_photos.AFTER)] \
            if data["spot"] else []
        outcome = reporting.report(self.user(step.user), reporting.Report(
            client_id=f"demo-h{step.hazard:04d}", zone_id=zone.id, category_id=category.id,
            severity=data["severity"], description=data["problem"].description, photos=before,
            fixed_on_the_spot=data["spot"], after_photos=after, visit_client_id=data["visit"].client_id,
            **self.device(step, zone)), now=step.at)
        self.hazards[step.hazard] = outcome.hazard.id
        self.zones[step.hazard] = zone
        self.categories[step.hazard] = category.code

    def act(self, step: Step) -> None:
        """Take an action on a hazard, as the desk or the field app sends it."""
        data, number = step.data, step.hazard
        action = data["action"]
        kind = demo_photos.AFTER if action == states.SUBMIT else demo_photos.RECHECK
        zone = self.zones[number]
        photos = [demo_photos.draw(f"{SEED}-{number}-0", zone.building, self.categories[number],
                                   f"{kind}-{step.seq}-{n}") for n in range(data.get("photos", 0))]
        rectifier = data.get("rectifier")
        field_work = action in (states.SUBMIT, states.PASS, states.FAIL)  # done at the zone, on a phone
        device = self.device(step, zone) if field_work else {"device_at": step.at}
        services.perform(self.user(step.user), self.hazards[number], services.Command(
            action=action, client_id=f"demo-h{number:04d}-{step.seq:05d}", note=data.get("note", ""),
            deadline=data.get("deadline"), rectifier_id=self.users[rectifier] if rectifier else None,
            photos=photos, **data.get("fields", {}), **device), now=step.at)

    def sweep(self, step: Step) -> None:
        """Run the deadline pass (due tomorrow, overdue), as the hourly timer does."""
        notices.sweep_deadlines(now=step.at)
        db.session.commit()

    def stamp_notifications(self) -> None:
        """Give each notification the time of the step that made it, and mark the older ones read.

        The notification services stamp the wall clock (they run live); a replayed past needs its own times.
        People read their notices within a day or so; the last three days' stay unread, as on a real desk.
        One UPDATE by primary key for them all: thousands of single updates took seconds.
        """
        highs = [high for high, _at in self.stamps]
        recent = self.plan.end - timedelta(days=3)
        rows = []
        for note_id, read_at in db.session.execute(select(Notification.id, Notification.read_at)
                                                   .order_by(Notification.id)):
            made = self.stamps[bisect_left(highs, note_id)][1]
            if read_at is None and made < recent:
                read_at = made + timedelta(hours=self.rng.choice((1, 2, 5, 20)))
            rows.append({"id": note_id, "created_at": made, "read_at": read_at})
        if rows:
            db.session.execute(update(Notification), rows)
        db.session.commit()


def seed_history(end: datetime | None = None, *, days: int = TERM_DAYS, hazards: int = HAZARD_COUNT) -> int:
    """Make a term of patrols and hazards up to `end` (default: the start of today); count the hazards."""
    end = end or start_of_day(local_date(datetime.now(UTC)))
    zones = list(db.session.scalars(select(Zone).order_by(Zone.id)))
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    db.session.commit()  # the services start from a clean session (they commit, and roll back for photos)
    planner = Planner(end, zones, categories, days=days, hazards=hazards)
    planner.plan_rounds()
    planner.plan_hazards()
    replay = Replay(planner)
    # The replay is this session's alone: what it committed is what it holds, so nothing needs reloading
    # after each commit (the services commit every record; reloading made seeding several times slower).
    session = db.session()
    session.expire_on_commit = False
    try:
        replay.run()
    finally:
        session.expire_on_commit = True
    return len(replay.hazards)
