"""Who may do what: the one place views ask it. Deny by default."""

from functools import wraps

from flask import request
from flask_login import current_user

from server.errors import Forbidden
from server.extensions import login_manager


def wants_json() -> bool:
    """Say whether the request is an API call (answered in JSON) rather than a page."""
    return request.path.startswith("/api/")


def require_role(*roles: str) -> None:
    """Send an anonymous visitor to sign in; refuse (403) a user without one of the roles."""
    if not current_user.is_authenticated:
        # Raised as an HTTPException-like abort by Flask-Login's handler (redirect, or 401 for the API).
        raise _Unauthenticated()
    if roles and not current_user.has_role(*roles):
        raise Forbidden()


def role_required(*roles: str):
    """Decorate a view so only users with one of the roles reach it (no roles: any signed-in user)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            require_role(*roles)
            return view(*args, **kwargs)

        return wrapped

    return decorate


class _Unauthenticated(Exception):
    """The visitor must sign in first."""


def init_app(app):
    """Answer _Unauthenticated through Flask-Login's handler."""

    @app.errorhandler(_Unauthenticated)
    def _unauthenticated(_exc):
        return login_manager.unauthorized()
