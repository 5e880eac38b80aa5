"""GET /api/v1/session: who is signed in, a fresh CSRF token, the language."""

from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from server.api import bp
from server.api.schemas import Session, SessionQuery, answer, operation, read_query
from server.web import current_language


def user_json(user) -> dict:
    """Return the public description of a user for the field app."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "department": user.department,
        "company": user.company,
        "roles": sorted(user.roles),
    }


@bp.get("/session")
@operation({200: (Session, "The session (user is null when not signed in).")}, query=SessionQuery, errors=(),
           public=True)
def session_info():
    """Who is signed in, a fresh CSRF token, the language (asked at start and before each send)."""
    read_query(SessionQuery)  # ?fresh=1 only keeps caches out of the way; a malformed one is still refused
    return answer(Session, {"user": user_json(current_user) if current_user.is_authenticated else None,
                            "csrf_token": generate_csrf(), "locale": current_language()})
