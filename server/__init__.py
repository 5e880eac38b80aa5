"""The Flask application factory: wiring only; the rules live in each domain's services."""

import os
import secrets
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from server import compression, converters, i18n, security_headers, sessions
from server import config as default_config
from server.extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app: defaults, then instance/config.py, then XUNJIAN_* variables."""
    app = Flask(__name__, instance_path=os.environ.get("XUNJIAN_INSTANCE_PATH") or str(ROOT / "instance"),
                instance_relative_config=True, static_folder="static", static_url_path="/static")
    app.config.from_object(default_config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("XUNJIAN")
    else:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _finish_config(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)
    i18n.init_app(app)  # compile missing or stale .mo files, however the app is started
    if app.config["PROXY_COUNT"]:
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    sessions.init_app(app)  # the app's files answer without the session: no Vary: Cookie, no Set-Cookie
    compression.init_app(app)  # brotli or gzip for what the browser accepts, with no proxy in front
    converters.init_app(app)  # before any route is added: ids past the database's integers do not match
    _register(app)
    return app


def _finish_config(app: Flask) -> None:
    cfg = app.config
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        url = os.environ.get("DATABASE_URL")
        # postgres:// (as hosts print it) and a bare postgresql:// use psycopg 3, the driver we pin
        # (SQLAlchemy's default would be psycopg2).
        for bare in ("postgres://", "postgresql://"):
            if url and url.startswith(bare):
                url = "postgresql+psycopg://" + url.removeprefix(bare)
        cfg["SQLALCHEMY_DATABASE_URI"] = url or f"sqlite:///{Path(app.instance_path) / 'xunjian.sqlite'}"
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    secure = bool(cfg["SECURE_COOKIES"])
    cfg["SESSION_COOKIE_SECURE"] = secure
    cfg["REMEMBER_COOKIE_SECURE"] = secure
    if not cfg.get("LABELS_DIR"):
        cfg["LABELS_DIR"] = str(ROOT / "qr_labels")
    cfg["PUBLIC_BASE_URL"] = cfg["PUBLIC_BASE_URL"].rstrip("/")


def _instance_secret(path: Path) -> str:
    # Made once per installation and kept in instance/ (never in git), so sessions survive restarts.
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _select_locale():
    from flask import current_app

    languages, default = current_app.config["LANGUAGES"], current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # CLI commands speak the default language
        return i18n.locale_of(default)
    chosen = session.get("locale")
    if chosen not in languages and current_user and current_user.is_authenticated:
        chosen = current_user.locale
    # A parsed Locale, not its code: Flask-Babel would parse a code again on every request.
    return i18n.locale_of(chosen if chosen in languages else default)


def _select_timezone():
    from flask import current_app

    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _register(app: Flask) -> None:
    from server import cli, models, web  # noqa: F401  (models: every table known)
    from server.admin.views import bp as admin_bp
    from server.api import errors as api_errors
    from server.api import init_app as api_init
    from server.auth import permissions
    from server.auth import services as auth_services
    from server.auth.views import bp as auth_bp
    from server.board.views import bp as board_bp
    from server.campaigns.views import bp as campaigns_bp
    from server.hazards.views import bp as hazards_bp
    from server.labels.views import bp as labels_bp
    from server.ledger.views import bp as ledger_bp
    from server.notifications import views as notifications_views
    from server.patrols.views import bp as patrols_bp
    from server.reports.views import bp as reports_bp
    from server.webhooks.views import bp as webhooks_bp
    from server.zones.views import bp as zones_bp

    @login_manager.user_loader
    def _load_user(session_id):
        return auth_services.load_session_user(session_id)

    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import redirect, url_for

        from server.api.errors import error_response
        from server.auth.permissions import wants_json

        if wants_json():
            from flask_babel import gettext as _

            return error_response(401, "unauthorized", _("Please sign in again."))
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    security_headers.init_app(app)  # the policy on pages and workers, nosniff on everything

    permissions.init_app(app)
    api_errors.init_app(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(zones_bp)
    app.register_blueprint(labels_bp)
    app.register_blueprint(hazards_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(patrols_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(webhooks_bp)
    notifications_views.init_app(app)
    web.init_app(app)
    from server.campaigns import api as _campaigns_api  # noqa: F401
    from server.hazards import api as _hazards_api  # noqa: F401  (importing a domain's api.py adds its routes)
    from server.notifications import api as _notifications_api  # noqa: F401
    from server.patrols import api as _patrols_api  # noqa: F401
    from server.zones import api as _zones_api  # noqa: F401

    api_init(app)
    cli.init_app(app)
