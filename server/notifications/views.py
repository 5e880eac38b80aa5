"""Desk pages of notifications: my notifications, newest first, and "mark all read"; the unread count that
every desk page's header shows."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from server.auth.permissions import require_role
from server.extensions import db
from server.hazards.views import id_url
from server.notifications import queries, services

bp = Blueprint("notifications", __name__)


@bp.before_request
def _signed_in():
    require_role()


@bp.get("/notifications")
def index():
    """List the user's notifications, newest first."""
    items = queries.notices(current_user, limit=100)
    return render_template("notifications/list.html", items=items,
                           unread=any(n.read_at is None for n in items),
                           hazard_url=id_url("hazards.detail", "hazard_id"))


@bp.post("/notifications/read")
def mark_all_read():
    """Mark all the user's notifications read."""
    changed = services.mark_read(current_user._get_current_object())
    db.session.commit()
    if changed:
        flash(_("All notifications are marked read."), "success")
    return redirect(url_for("notifications.index"))


def _unread() -> int:
    return queries.unread_count(current_user) if current_user.is_authenticated else 0


def init_app(app):
    """Register the pages, the header's unread count, and the subscriber to hazard events."""
    from server.notifications import subscribers  # noqa: F401  (connects to the hazard domain's signal)

    app.register_blueprint(bp)
    app.add_template_global(_unread, "unread_notifications")
