"""Notification routes of the JSON API: my notifications with the unread count; mark them read."""

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.api import bp
from server.api.schemas import answer, operation, read_body, read_query
from server.auth.permissions import role_required
from server.errors import ValidationFailed
from server.extensions import db
from server.notifications import schemas, services
from server.notifications.models import Notification


def notification_json(item: Notification, text: str) -> dict:
    """Return a notification with its text in the user's language (services.messages)."""
    return {
        "id": item.id,
        "kind": item.kind,
        "urgent": item.urgent,
        "hazard_id": item.hazard_id,
        "message": text,
        "created_at": (item.created_at),
        "read_at": (item.read_at),
    }


@bp.get("/notifications")
@operation({200: (schemas.Notifications, "Notifications.")}, query=schemas.NotificationQuery,
           errors=(401, 422))
@role_required()
def notifications():
    """My notifications, newest first, and the unread count."""
    q = read_query(schemas.NotificationQuery)
    items = services.list_for(current_user, unread_only=bool(q.unread), limit=q.limit)
    texts = services.messages(items)
    return answer(schemas.Notifications, {"notifications": [notification_json(n, texts[n.id]) for n in items],
                                          "unread": services.unread_count(current_user)})


@bp.post("/notifications/read")
@operation({200: (schemas.Marked, "How many changed, and the unread count now.")}, body=schemas.MarkRead,
           errors=(400, 401, 422))
@role_required()
def mark_read():
    """Mark notifications read: {"ids": [..]} or {"all": true}."""
    marks = read_body(schemas.MarkRead)
    if marks.ids is None and not marks.all:
        raise ValidationFailed(_l("Give the ids of the notifications to mark as read."),
                               details={"ids": "required"})
    changed = services.mark_read(current_user, None if marks.all else marks.ids)
    db.session.commit()
    return answer(schemas.Marked, {"marked": changed, "unread": services.unread_count(current_user)})
