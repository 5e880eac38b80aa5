"""Sign-in, sign-out and the language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from server.auth import services, sign_in_limits
from server.auth.forms import LanguageForm, LoginForm
from server.extensions import db

bp = Blueprint("auth", __name__)


def safe_next(target: str | None, default: str = "/") -> str:
    """Return `target` if it is a path on this site, else `default` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def home_for(user) -> str:
    """Return where a user lands after sign-in: field staff to the app, desk staff to the desk."""
    if user.has_role("supervisor", "admin"):
        return url_for("desk.home")
    return "/app"


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign the user in."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data, home_for(current_user)))
    if form.validate_on_submit():
        # The attempt takes its place in the limits (429 when full, the password unchecked) and is committed
        # before the password check, so other workers checking passwords meanwhile count it.
        attempt = sign_in_limits.claim(services.normalize_username(form.username.data), request.remote_addr)
        db.session.commit()
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            sign_in_limits.release(attempt)
            session.clear()
            login_user(user, remember=form.remember.data)
            session.permanent = True
            # The CSRF token goes into the new session now, with the sign-in's own cookie. Made later by the
            # first write, it raced the answers to the app's first reads: each re-sends the session cookie as
            # it was when asked, and one without the token arriving last made that write fail with 400.
            generate_csrf()
            if user.locale:
                session["locale"] = user.locale
            db.session.commit()
            return redirect(safe_next(form.next.data, home_for(user)))
        flash(_("Wrong username or password, or the account is disabled."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out here and end the user's sessions on every device."""
    services.end_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    """Switch the interface language, remembering it for the signed-in user."""
    form = LanguageForm()
    if not form.validate_on_submit() or form.locale.data not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        services.set_locale(current_user._get_current_object(), form.locale.data)
        db.session.commit()
    return redirect(safe_next(form.next.data or request.referrer and urlsplit(request.referrer).path, "/"))
