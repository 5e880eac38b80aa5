"""Admin pages. Every route here is for admins only (checked once, for the whole blueprint)."""

from flask import Blueprint, redirect, render_template, url_for

from server.auth.models import ADMIN
from server.auth.permissions import require_role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    require_role(ADMIN)


@bp.get("/")
def index():
    """Open the administration start page."""
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users():
    """List users."""
    return render_template("admin/placeholder.html")


@bp.get("/zones")
def zones():
    """List zones."""
    return render_template("admin/placeholder.html")


@bp.get("/categories")
def categories():
    """List categories."""
    return render_template("admin/placeholder.html")
