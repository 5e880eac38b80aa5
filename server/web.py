"""Desk pages shared by every domain: the desk home, template helpers, time formatting."""

from datetime import UTC

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from server.auth.permissions import role_required
from server.i18n import locale_of
from server.schooltime import school_tz

bp = Blueprint("desk", __name__)
# The app's one name, on the desk and in the field app (校园安全巡查). The pwa/ files that cannot ask the
# server (the manifest, the shell's first paint, the offline page) write it out, as a test checks.
APP_NAME = _l("School safety patrol")


@bp.get("/")
def index():
    """Send a visitor where they work: sign-in, the field app, or the desk."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    from server.auth.views import home_for

    return redirect(home_for(current_user))


@bp.get("/desk")
@role_required()
def home():
    """Show the desk's start page: the dashboard for supervisors and admins, else what this user can open."""
    if current_user.has_role("supervisor", "admin"):
        from server.reports.views import dashboard_page

        return dashboard_page()
    return render_template("desk/home.html")


# Patterns made of numbers only read the same in every language: strftime writes them in a tenth of Babel's
# time, which counts on a list page that shows a few hundred times.
NUMERIC_PATTERNS = {"yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M", "yyyy-MM-dd": "%Y-%m-%d", "HH:mm": "%H:%M"}


def localtime(value, fmt="yyyy-MM-dd HH:mm"):
    """Format a UTC time in the school's time zone."""
    if value is None:
        return ""
    if fmt in NUMERIC_PATTERNS:
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # Babel reads a naive time as UTC
        return aware.astimezone(school_tz()).strftime(NUMERIC_PATTERNS[fmt])
    return format_datetime(value, fmt)


def current_language() -> str:
    """Return the key in LANGUAGES of the language in use (Babel says zh_Hans_CN for zh_CN)."""
    locale = get_locale()
    for code in current_app.config["LANGUAGES"]:
        if locale_of(code) == locale:
            return code
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app):
    """Register the desk blueprint, the field app's shell, and the helpers every template uses."""
    from server import shell

    app.register_blueprint(bp)
    shell.init_app(app)
    app.add_template_filter(localtime, "localtime")

    @app.context_processor
    def _globals():
        return {
            "app_name": APP_NAME,
            "school_name": current_app.config["SCHOOL_NAME"],
            "languages": current_app.config["LANGUAGES"],
            "current_locale": current_language(),
            "csrf_token": generate_csrf,
        }
