"""Users and their roles."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.database import UTCDateTime, utcnow
from server.extensions import db

PATROL = "patrol"
RECTIFIER = "rectifier"
SUPERVISOR = "supervisor"
ADMIN = "admin"
ROLES = (PATROL, RECTIFIER, SUPERVISOR, ADMIN)


class User(UserMixin, db.Model):
    """A person who signs in: patrol staff, rectifiers (contractors too), supervisors, admins."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    department: Mapped[str] = mapped_column(String(64), default="")
    # The contractor a rectifier works for (外包单位: the property company …); "" for the school's staff.
    # Scorecards and the hazard list's filters group by it.
    company: Mapped[str] = mapped_column(String(64), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out, password reset and disabling: every session carrying the old value ends.
    session_version: Mapped[int] = mapped_column(default=1)
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[str]:
        """Return the user's role names."""
        return {r.role for r in self.role_rows}

    @roles.setter
    def roles(self, names) -> None:
        wanted = set(names)
        unknown = wanted - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        self.role_rows = [r for r in self.role_rows if r.role in wanted] + [
            UserRole(role=n) for n in sorted(wanted - self.roles)
        ]

    def has_role(self, *names: str) -> bool:
        """Say whether the user has any of the given roles."""
        return bool(self.roles.intersection(names))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """Return the session id: the user id and session version, so a bumped version ends the session."""
        return f"{self.id}.{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role_known"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")


class FailedSignIn(db.Model):
    """A failed sign-in (or one whose password is being checked), holding one numbered slot of a limit.

    An account or address has as many slots as its limit allows failures in the window; a slot is taken by
    inserting its row, so the primary key makes two workers racing for the last slot settle in the database.
    """

    __tablename__ = "failed_sign_ins"

    # A keyed hash of "account:<username>" or "address:<ip>": people sometimes type their password into the
    # username field, and this table should not keep it.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # indexed: old rows are pruned by time
