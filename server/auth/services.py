"""The rules for accounts: the only code that creates or changes a User."""

from collections.abc import Iterable
from functools import cache, lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload, lazyload
from werkzeug.security import check_password_hash, generate_password_hash

from server.auth import sign_in_limits
from server.auth.models import ADMIN, ROLES, User
from server.database import utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db

MIN_PASSWORD = 8


def normalize_username(username: str) -> str:
    """Return the canonical form of a username (trimmed, lower case)."""
    return (username or "").strip().lower()


def find_by_username(username: str) -> User | None:
    """Return the user with this username, or None."""
    return db.session.scalar(select(User).where(User.username == normalize_username(username)))


def find_by_name(name: str) -> User | None:
    """Return the user whose username or display name is `name` (for imports), or None."""
    name = (name or "").strip()
    if not name:
        return None
    user = find_by_username(name)
    if user:
        return user
    matches = db.session.scalars(select(User).where(User.display_name == name)).all()
    return matches[0] if len(matches) == 1 else None


@cache
def _session_user():
    # The signed-in user with their roles, read on every request: one statement, the roles joined
    # (Session.get and the roles' selectin load were two, and get's handling of options cost more than the
    # statement), built once (building it cost half as much again as running it), when first asked: a loader
    # option configures the mappers, which needs every model imported.
    return select(User).options(joinedload(User.role_rows)).where(User.id == bindparam("user_id"))


def load_session_user(session_id: str) -> User | None:
    """Return the user of a session id "ID.VERSION", or None when the session has been ended."""
    user_id, _, version = (session_id or "").partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.execute(_session_user(), {"user_id": int(user_id)}).unique().scalar_one_or_none()
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def hash_password(password: str) -> str:
    """Return the hash of a password, made with the configured PASSWORD_HASH_METHOD."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password(password: str) -> None:
    """Refuse a password that is too short."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(
            _l("The password must be at least %(n)d characters long.", n=MIN_PASSWORD),
            details={"password": "too_short"},
        )


def _check_roles(roles) -> set[str]:
    roles = set(roles or ())
    unknown = roles - set(ROLES)
    if unknown:
        raise ValidationFailed(_l("Unknown role: %(role)s", role=", ".join(sorted(unknown))),
                               details={"roles": "unknown"})
    if not roles:
        raise ValidationFailed(_l("Choose at least one role."), details={"roles": "required"})
    return roles


def create_user(username, display_name, password, roles, department="", phone="", flush=True,
                company="") -> User:
    """Create a user with hashed password and roles; refuse a taken username."""
    username = normalize_username(username)
    if not username or len(username) > 64:
        raise ValidationFailed(_l("A username is required (at most 64 characters)."),
                               details={"username": "format"})
    if not (display_name or "").strip():
        raise ValidationFailed(_l("A name is required."), details={"display_name": "required"})
    check_password(password)
    roles = _check_roles(roles)
    if find_by_username(username):
        raise Conflict(_l("The username %(name)s is already taken.", name=username),
                       details={"username": "taken"})
    user = User(
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        department=(department or "").strip(),
        phone=(phone or "").strip(),
        company=(company or "").strip(),
    )
    user.roles = roles
    db.session.add(user)
    if flush:
        db.session.flush()
    return user


def update_user(user: User, *, display_name=None, roles=None, department=None, phone=None,
                company=None) -> User:
    """Change a user's name, roles, department, phone or contractor."""
    if display_name is not None:
        if not display_name.strip():
            raise ValidationFailed(_l("A name is required."), details={"display_name": "required"})
        user.display_name = display_name.strip()
    if roles is not None:
        user.roles = _check_roles(roles)
    if department is not None:
        user.department = department.strip()
    if phone is not None:
        user.phone = phone.strip()
    if company is not None:
        user.company = company.strip()
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password, end every session of the user and forget their failed sign-ins."""
    check_password(password)
    user.password_hash = hash_password(password)
    end_sessions(user)
    # The refusal page tells a locked-out person to ask for a new password: it must let them in at once.
    sign_in_limits.clear_account(user.username)


def end_sessions(user: User) -> None:
    """End every session (and remember cookie) of the user, on every device."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def set_active(user: User, active: bool) -> None:
    """Enable or disable a user; disabling ends all of their sessions at once."""
    user.active = active
    if not active:
        end_sessions(user)
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    """Remember the user's language."""
    user.locale = locale
    db.session.flush()


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None."""
    user = find_by_username(username)
    stored, active = (user.password_hash, user.active) if user else (None, False)
    # A sign-in is a POST, so on SQLite its first query took the write lock: end that transaction before the
    # slow hash check, or every writer queues behind each sign-in's scrypt (bench/load.py: 55 sign-ins at once
    # ran past the busy timeout, "database is locked").
    db.session.commit()
    if user is None:
        # Spend the same time as a real check, so a missing account is not told apart by timing.
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password or "")
        return None
    if not check_password_hash(stored, password or "") or not active:
        return None
    user.last_login_at = utcnow()
    return user


def get_user(user_id: int) -> User:
    """Return a user by id or raise NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("No such user."))
    return user


# What a chooser of people shows of each (and by_pinyin sorts by), read as rows by users_with_role(rows=True).
CHOOSER_COLUMNS = (User.id, User.username, User.display_name, User.department, User.company)


def users_with_role(role: str, *, rows: bool = False) -> list:
    """Return the active users holding a role, by name (their other roles not read); `rows`: as rows of
    CHOOSER_COLUMNS, not User objects (a page that only lists them to choose from)."""
    from server.auth.models import UserRole

    holders = select(User).join(UserRole).where(UserRole.role == role, User.active.is_(True))
    if rows:
        # 138 rectifiers at district scale made as User objects took 0.9 ms of the queue's 13 (issue 12).
        return by_pinyin(db.session.execute(holders.with_only_columns(*CHOOSER_COLUMNS)).all())
    # Who holds the role is the question answered: each person's roles (a second query, 138 rectifiers' role
    # rows at district scale) are read only if a caller asks one of them for their roles.
    return by_pinyin(db.session.scalars(holders.options(lazyload(User.role_rows))))


def search_users(text: str = "", role: str | None = None) -> list[User]:
    """Return the users whose username, name, department or phone contains `text`, optionally with a role."""
    from server.auth.models import UserRole

    query = select(User)
    text = (text or "").strip()
    if text:
        query = query.where(or_(*(column.icontains(text, autoescape=True) for column in
                                  (User.username, User.display_name, User.department, User.phone))))
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    # Active users first; sorted() keeps the pinyin order within each group.
    return sorted(by_pinyin(db.session.scalars(query)), key=lambda user: not user.active)


def active_users() -> list[User]:
    """Return every active user, by name (the people a zone can be given to)."""
    return by_pinyin(db.session.scalars(select(User).where(User.active.is_(True))))


# Kept per name (a few hundred people): the lists of people on the desk's pages sort them at every request.
@lru_cache(maxsize=4096)
def pinyin_key(name: str) -> tuple[str, ...]:
    """Return the sort key of a name: its syllables in pinyin with tone numbers (张三 → zhang1, san1)."""
    # Imported when first needed: its dictionaries take about 57 MB and 0.2 s, which only the pages that
    # list people should pay for. A tone digit sorts before any letter, so "wan1" < "wang2" < "wang4", as in
    # a dictionary; letters outside Chinese (an English name) are kept as written, in lower case.
    from pypinyin import Style, lazy_pinyin

    return tuple(s.lower() for s in lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True))


def by_pinyin(users: Iterable[User]) -> list[User]:
    """Return users in the order a Chinese list of names is read: by pinyin, then name, then username."""
    return sorted(users, key=lambda user: (pinyin_key(user.display_name), user.display_name, user.username))


def resolve_person(name: str) -> User:
    """Return the active user named by username or display name; refuse unknown, ambiguous, disabled."""
    name = (name or "").strip()
    user = find_by_name(name)
    if user is None:
        same_name = db.session.scalar(select(func.count()).select_from(User).where(User.display_name == name))
        if same_name and same_name > 1:
            raise ValidationFailed(_l("Several users are called %(name)s; give the username instead.",
                                      name=name), details={"person": "ambiguous"})
        raise ValidationFailed(_l("No user has the username or name %(name)s.", name=name),
                               details={"person": "unknown"})
    if not user.active:
        raise ValidationFailed(_l("The account of %(name)s is disabled.", name=user.display_name),
                               details={"person": "disabled"})
    return user


def update_user_as(actor: User, user: User, *, display_name=None, roles=None, department=None,
                   phone=None, company=None) -> User:
    """Change a user on an admin's behalf; an admin may not remove their own admin role."""
    if roles is not None and actor.id == user.id and ADMIN in user.roles and ADMIN not in set(roles):
        # Otherwise the last admin could lock everyone out of the administration pages.
        raise Forbidden(_l("You cannot remove your own administrator role. Ask another administrator."),
                        details={"roles": "own_admin"})
    return update_user(user, display_name=display_name, roles=roles, department=department, phone=phone,
                       company=company)


def set_active_as(actor: User, user: User, active: bool) -> None:
    """Enable or disable a user on an admin's behalf; an admin may not disable their own account."""
    if not active and actor.id == user.id:
        raise Forbidden(_l("You cannot disable your own account. Ask another administrator."),
                        details={"active": "self"})
    set_active(user, active)


@cache
def _dummy_hash(method: str) -> str:
    # Made with the method real hashes use, so checking it costs the same time.
    return generate_password_hash("not-a-real-password-used-for-timing", method=method)
