"""What all JSON routes share: the /api/v1 blueprint; errors and the OpenAPI document beside it."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app):
    """Register the blueprint, after create_app has imported the domains' api.py modules (their routes).

    The domains' api.py modules import this package, never the reverse, so server/api stays below every
    domain; only the wiring in create_app knows them all.
    """
    from server.api import i18n, openapi, session  # noqa: F401  (routes every client shares)

    app.register_blueprint(bp)
