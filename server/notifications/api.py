"""Notification routes of the JSON API: my notifications with the unread count; mark them read."""

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.api import bp
from server.api.schemas import answer, operation, read_body, read_query
from server.auth.permissions import role_required
from server.errors import ValidationFailed
from server.extensions import db
from server.notifications import queries, schemas, services
from server.notifications.queries import Notice


def notification_json(item: Notice) -> dict:
    """Return a notification with its text in the user's language."""
    return {
        "id": item.id,
        "kind": item.kind,
        "urgent": item.urgent,
        "hazard_id": item.hazard_id,
        "message": item.message,
        "created_at": item.created_at,
        "read_at": item.read_at,
    }


@bp.get("/notifications")
@operation({200: (schemas.Notifications, "Notifications.")}, query=schemas.NotificationQuery,
           errors=(401, 422))
@role_required()
def notifications():
    """My notifications, newest first, and the unread count."""
    q = read_query(schemas.NotificationQuery)
    items = queries.notices(current_user, unread_only=bool(q.unread), limit=q.limit)
    return answer(schemas.Notifications, {"notifications": [notification_json(n) for n in items],
                                          "unread": queries.unread_count(current_user)})


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
    return answer(schemas.Marked, {"marked": changed, "unread": queries.unread_count(current_user)})
