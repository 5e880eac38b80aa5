"""What all JSON routes share: the /api/v1 blueprint; errors and the OpenAPI document beside it."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app):
    """Load every domain's API routes onto the blueprint and register it."""
    # Importing the modules attaches their routes to `bp`.
    from server.api import i18n as _i18n  # noqa: F401
    from server.api import openapi as _openapi  # noqa: F401
    from server.api import session as _session  # noqa: F401
    from server.hazards import api as _hazards_api  # noqa: F401
    from server.notifications import api as _notifications_api  # noqa: F401
    from server.patrols import api as _patrols_api  # noqa: F401
    from server.zones import api as _zones_api  # noqa: F401

    app.register_blueprint(bp)
