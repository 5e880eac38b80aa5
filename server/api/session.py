"""GET /api/v1/session: who is signed in, a fresh CSRF token, the language."""

from flask import jsonify
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from server.api import bp
from server.web import current_language


def user_json(user) -> dict:
    """Return the public description of a user for the field app."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "department": user.department,
        "roles": sorted(user.roles),
    }


@bp.get("/session")
def session_info():
    """Describe the current session; the field app calls it at start and before each send."""
    return jsonify(
        user=user_json(current_user) if current_user.is_authenticated else None,
        csrf_token=generate_csrf(),
        locale=current_language(),
    )
