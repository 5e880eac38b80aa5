"""The rules for categories: the defaults from the directive, and the admin's edits."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from server.errors import NotFound, ValidationFailed
from server.extensions import db
from server.hazards.models import Category

# The directive's areas (DIGEST.md), plus special equipment and "other"; periods in days.
DEFAULTS = [
    ("building", "校舍安全", "Buildings", 7),
    ("food", "饮食安全", "Food safety", 3),
    ("electricity", "用电安全", "Electrical safety", 3),
    ("fire", "消防安全", "Fire safety", 3),
    ("dormitory", "学生公寓安全", "Student dormitories", 7),
    ("sports", "体育场馆及器械安全", "Sports venues and equipment", 7),
    ("campus", "校园及周边安全", "Campus and surroundings", 7),
    ("equipment", "特种设备安全", "Special equipment", 3),
    ("other", "其他", "Other", 7),
]


def ensure_defaults() -> int:
    """Create the default categories that are missing; return how many were added."""
    have = set(db.session.scalars(select(Category.code)))
    added = 0
    for order, (code, name, name_en, days) in enumerate(DEFAULTS):
        if code not in have:
            db.session.add(Category(code=code, name=name, name_en=name_en, default_period_days=days,
                                    sort_order=order, checklist=[]))
            added += 1
    db.session.flush()
    return added


def list_categories(include_inactive=False) -> list[Category]:
    """Return categories in display order."""
    query = select(Category).order_by(Category.sort_order, Category.id)
    if not include_inactive:
        query = query.where(Category.active.is_(True))
    return list(db.session.scalars(query))


def get_category(category_id: int) -> Category:
    """Return a category by id or raise NotFound."""
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(_l("No such category."))
    return category


def update_category(category: Category, *, name, name_en="", default_period_days=None, active=True,
                    checklist=None) -> Category:
    """Rename a category, set its default rectification period, (de)activate it."""
    if not (name or "").strip():
        raise ValidationFailed(_l("The category needs a name."), details={"name": "required"})
    if default_period_days is not None and not 1 <= int(default_period_days) <= 365:
        raise ValidationFailed(_l("The default period must be from 1 to 365 days."),
                               details={"default_period_days": "range"})
    category.name = name.strip()
    category.name_en = (name_en or "").strip()
    category.default_period_days = default_period_days
    category.active = bool(active)
    if checklist is not None:
        category.checklist = [line.strip() for line in checklist if line.strip()]
    db.session.flush()
    return category


def create_category(code, name, name_en="", default_period_days=None) -> Category:
    """Add a category at the end of the list."""
    code = (code or "").strip().lower()
    if not code or db.session.scalar(select(Category).where(Category.code == code)):
        raise ValidationFailed(_l("The category code is missing or already used."), details={"code": "taken"})
    last = db.session.scalar(select(Category.sort_order).order_by(Category.sort_order.desc()).limit(1)) or 0
    category = Category(code=code, name="", sort_order=last + 1, checklist=[])
    db.session.add(category)
    return update_category(category, name=name, name_en=name_en, default_period_days=default_period_days)


CATEGORY_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def _free_code(name_en: str) -> str:
    # A stable code the admin need not invent: from the English name, else "category-N".
    base = re.sub(r"[^a-z0-9]+", "-", (name_en or "").lower()).strip("-")[:24] or "category"
    taken = set(db.session.scalars(select(Category.code)))
    code, n = base, 1
    while code in taken or not CATEGORY_CODE_RE.match(code):
        n += 1
        code = f"{base}-{n}"
    return code


def add_category(code, name, name_en="", default_period_days=None, active=True, checklist=None) -> Category:
    """Add a category with an optional checklist; derive its code from the English name when none is given."""
    code = (code or "").strip().lower()
    if not code:
        code = _free_code(name_en)
    elif not CATEGORY_CODE_RE.match(code):
        raise ValidationFailed(_l("The category code must be 1 to 32 lower-case letters, digits, dashes or "
                                  "underscores."), details={"code": "format"})
    category = create_category(code, name, name_en=name_en, default_period_days=default_period_days)
    return update_category(category, name=name, name_en=name_en, default_period_days=default_period_days,
                           active=active, checklist=checklist)
