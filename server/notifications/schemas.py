"""The notification payloads of /api/v1, declared once."""

from datetime import datetime
from typing import Literal

from flask_babel import lazy_gettext as _l
from pydantic import Field

from server.api.schemas import Answer, Id, RequestBody
from server.notifications.models import KINDS

LIMIT_MAX = 200


class NotificationQuery(RequestBody):
    """Which notifications: only unread ones, and how many."""

    unread: bool | None = Field(None, description="1: only unread ones.")
    limit: int = Field(50, ge=1, le=LIMIT_MAX)


class MarkRead(RequestBody):
    """Which notifications to mark read: the ids given, or all."""

    messages = {"ids": _l("Give the ids of the notifications to mark as read.")}

    ids: list[Id] | None = Field(None, max_length=1000)
    all: bool = False


class Notification(Answer):
    id: int
    kind: Literal[KINDS]
    urgent: bool = Field(description="A new report of a major or critical hazard.")
    hazard_id: int
    message: str
    created_at: datetime
    read_at: datetime | None


class Notifications(Answer):
    notifications: list[Notification]
    unread: int


class Marked(Answer):
    marked: int
    unread: int
