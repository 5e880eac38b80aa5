"""Demo data that looks like the school: people, departments, about 25 zones, the default categories, and a
term of patrols and hazards (server/demo_history.py)."""

from server import demo_history
from server.auth import services as users
from server.auth.models import ADMIN, PATROL, RECTIFIER, SUPERVISOR
from server.campaigns import demo as campaign_demo
from server.extensions import db
from server.hazards import categories
from server.media.storage import get_storage
from server.zones import services as zones
from server.zones.models import CUSTOM, DAILY, GENERAL, LOW, MAJOR, SIGNIFICANT, WEEKLY

DEMO_PASSWORD = "demo1234"

# username, name, department, roles; contractor staff also have their company (外包单位) in COMPANIES.
PEOPLE = [
    ("admin", "系统管理员", "信息中心", [ADMIN, SUPERVISOR]),
    ("wang", "王主任", "后勤处", [SUPERVISOR]),
    ("sun", "孙老师", "安全办", [SUPERVISOR, PATROL]),
    ("li", "李老师", "安全办", [PATROL]),
    ("zhou", "周保安", "安保队", [PATROL]),
    ("zhao", "赵师傅", "后勤维修组", [PATROL, RECTIFIER]),
    ("zhang", "张师傅", "后勤维修组", [RECTIFIER]),
    ("chen", "陈电工", "后勤维修组", [RECTIFIER]),
    ("qian", "钱经理", "食堂", [RECTIFIER]),
    ("liu", "刘阿姨", "物业公司（保洁）", [RECTIFIER]),
    ("wu", "吴师傅", "锅炉房", [RECTIFIER]),
    ("zheng", "郑老师", "康复部", [RECTIFIER]),
    ("ma", "马师傅", "电梯维保公司", [RECTIFIER]),
]
COMPANIES = {"liu": "物业公司", "ma": "电梯维保公司"}

# code, name, building, floor, department, responsible, key area, frequency, days
ZONES = [
    ("JX-1F-E", "教学楼一楼东走廊", "教学楼", "1F", "教务处", "zheng", False, DAILY, None),
    ("JX-1F-W", "教学楼一楼西走廊", "教学楼", "1F", "教务处", "zheng", False, DAILY, None),
    ("JX-2F-E", "教学楼二楼东走廊", "教学楼", "2F", "教务处", "zheng", False, WEEKLY, None),
    ("JX-2F-W", "教学楼二楼西走廊", "教学楼", "2F", "教务处", "zheng", False, WEEKLY, None),
    ("JX-3F", "教学楼三楼教室区", "教学楼", "3F", "教务处", "zheng", False, WEEKLY, None),
    ("JX-STAIR", "教学楼东西楼梯间", "教学楼", "1F-3F", "后勤处", "zhang", True, DAILY, None),
    ("JX-LIFT", "教学楼无障碍电梯", "教学楼", "1F-3F", "后勤处", "ma", True, DAILY, None),
    ("JX-REHAB", "康复训练室", "教学楼", "1F", "康复部", "zheng", True, DAILY, None),
    ("SS-1F", "学生宿舍一楼", "学生宿舍楼", "1F", "学生处", "liu", True, DAILY, None),
    ("SS-2F", "学生宿舍二楼", "学生宿舍楼", "2F", "学生处", "liu", True, DAILY, None),
    ("SS-3F", "学生宿舍三楼", "学生宿舍楼", "3F", "学生处", "liu", True, DAILY, None),
    ("SS-BATH", "宿舍楼淋浴间", "学生宿舍楼", "1F", "学生处", "liu", True, DAILY, None),
    ("ST-KITCHEN", "食堂后厨操作间", "食堂", "1F", "食堂", "qian", True, DAILY, None),
    ("ST-STORE", "食堂食品仓库", "食堂", "1F", "食堂", "qian", True, DAILY, None),
    ("ST-GAS", "食堂燃气间", "食堂", "1F", "食堂", "qian", True, DAILY, None),
    ("ST-HALL", "学生餐厅就餐区", "食堂", "2F", "食堂", "qian", False, WEEKLY, None),
    ("TY-HALL", "体育馆主场地", "体育馆", "1F", "体育组", "zhao", False, WEEKLY, None),
    ("TY-EQUIP", "体育器材室", "体育馆", "1F", "体育组", "zhao", False, WEEKLY, None),
    ("TY-FIELD", "操场及跑道", "操场", "", "体育组", "zhao", False, CUSTOM, 3),
    ("GL-BOILER", "锅炉房", "锅炉房", "B1", "后勤处", "wu", True, DAILY, None),
    ("GL-PUMP", "水泵房", "锅炉房", "B1", "后勤处", "wu", True, WEEKLY, None),
    ("PD-ROOM", "配电室", "综合楼", "B1", "后勤处", "chen", True, DAILY, None),
    ("XM-GATE", "学校正门及门卫室", "校门", "", "安保队", "zhou", True, DAILY, None),
    ("XM-WEST", "西侧门", "校门", "", "安保队", "zhou", False, WEEKLY, None),
    ("XM-FENCE", "校园围墙及周边", "校园周边", "", "安保队", "zhou", False, WEEKLY, None),
    ("ZH-ARCHIVE", "综合楼档案室", "综合楼", "3F", "办公室", "zhang", True, WEEKLY, None),
]


def loaded() -> bool:
    """Say whether the demo (or any data with its first user's name) is already there."""
    return users.find_by_username(PEOPLE[0][0]) is not None


# Risk levels (风险分级) of the places a school rates highest; every other zone is general. Their patrol
# frequencies above stay as the school set them.
RISK = {"GL-BOILER": MAJOR, "ST-GAS": MAJOR, "PD-ROOM": MAJOR, "ST-KITCHEN": SIGNIFICANT,
        "JX-LIFT": SIGNIFICANT, "GL-PUMP": SIGNIFICANT, "SS-BATH": SIGNIFICANT, "XM-FENCE": LOW,
        "ZH-ARCHIVE": LOW}


def seed(*, history: bool = True, end=None) -> bool:
    """Load the demo people, zones and a term of history into an empty database; False if users exist."""
    categories.ensure_defaults()
    if loaded():
        return False
    people = {}
    for username, name, dept, roles in PEOPLE:
        people[username] = users.create_user(username, name, DEMO_PASSWORD, roles, department=dept,
                                             company=COMPANIES.get(username, ""))
    for code, name, building, floor, dept, who, key, freq, days in ZONES:
        zones.create_zone(code, name, building=building, floor=floor, department=dept,
                          responsible=people[who], key_area=key, frequency=freq, frequency_days=days,
                          risk_level=RISK.get(code, GENERAL))
    db.session.commit()
    if history:
        demo_history.seed_history(end)
        campaign_demo.seed()  # the checklists, a special inspection under way and one finished last month
    return True


def reset() -> int:
    """Delete every record and every stored photo file, to start the demo over; return the files deleted."""
    for table in reversed(db.metadata.sorted_tables):  # the referring tables first
        # Core statements on purpose: the ORM refuses to delete history (events, photos), as it should in use.
        db.session.execute(table.delete())
    db.session.commit()
    # With no record left, no file is named by one: the photo store is emptied with the records.
    storage = get_storage()
    keys = [item.key for item in storage.files()]
    for key in keys:
        storage.delete(key)
    return len(keys)


def logins() -> list[tuple[str, str, str]]:
    """Return (username, name, roles) of the demo accounts, for printing."""
    return [(u, n, ", ".join(r)) for u, n, _d, r in PEOPLE]
