"""Notification routes of the JSON API: my notifications with the unread count; mark them read."""

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.api import bp
from server.auth.permissions import role_required
from server.errors import ValidationFailed
from server.extensions import db
from server.hazards.api import flag_arg, int_field, iso
from server.notifications import services
from server.notifications.models import Notification

LIMIT_MAX = 200


def notification_json(item: Notification) -> dict:
    """Return a notification with its text in the user's language."""
    return {
        "id": item.id,
        "kind": item.kind,
        "hazard_id": item.hazard_id,
        "message": services.message(item),
        "created_at": iso(item.created_at),
        "read_at": iso(item.read_at),
    }


@bp.get("/notifications")
@role_required()
def notifications():
    """Return the user's notifications, newest first (unread=1: only unread), and the unread count."""
    limit = int_field(request.args, "limit")
    limit = 50 if limit is None else limit
    if not 1 <= limit <= LIMIT_MAX:
        raise ValidationFailed(_l("limit must be from 1 to %(n)d, offset 0 or more.", n=LIMIT_MAX),
                               details={"limit": "range"})
    items = services.list_for(current_user, unread_only=bool(flag_arg("unread")), limit=limit)
    return jsonify(notifications=[notification_json(n) for n in items],
                   unread=services.unread_count(current_user))


@bp.post("/notifications/read")
@role_required()
def mark_read():
    """Mark notifications read: {"ids": [..]} or {"all": true}; answer the new unread count."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or ("ids" not in data and data.get("all") is not True):
        raise ValidationFailed(_l("Give the ids of the notifications to mark as read."),
                               details={"ids": "required"})
    changed = services.mark_read(current_user, None if data.get("all") is True else data.get("ids"))
    db.session.commit()
    return jsonify(marked=changed, unread=services.unread_count(current_user))
