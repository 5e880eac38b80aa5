"""Admin pages. Every route here is for admins only (checked once, for the whole blueprint)."""

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from server.admin import imports
from server.admin.forms import (
    ROLE_LABELS,
    CategoryCreateForm,
    CategoryForm,
    ImportForm,
    PasswordForm,
    UserCreateForm,
    UserEditForm,
)
from server.auth import services as user_services
from server.auth.models import ADMIN, ROLES
from server.auth.permissions import require_role
from server.errors import ServiceError
from server.extensions import db
from server.forms import chosen, page, refusal
from server.hazards import categories as category_services
from server.web import current_language

bp = Blueprint("admin", __name__, url_prefix="/admin")

@bp.before_request
def _admins_only():
    require_role(ADMIN)


@bp.context_processor
def _helpers():
    return {"role_labels": ROLE_LABELS}


@bp.get("/")
def index():
    """Open the administration start page."""
    return redirect(url_for("admin.users"))


# Users ------------------------------------------------------------------------------------------------------


@bp.get("/users")
def users():
    """List users, searched by name, username, department or phone, and filtered by role."""
    text = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    role = role if role in ROLES else ""
    return render_template("admin/users.html", users=user_services.search_users(text, role or None),
                           q=text, role=role, roles=ROLES)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Create a user with roles and an initial password."""
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = user_services.create_user(form.username.data, form.display_name.data, form.password.data,
                                             form.roles.data, department=form.department.data,
                                             phone=form.phone.data, company=form.company.data)
        except ServiceError as exc:
            return page("admin/user_new.html", form, exc.status, problems=refusal(exc, form))
        db.session.commit()
        flash(_("Created the account %(username)s for %(name)s.", username=user.username,
                name=user.display_name), "success")
        return redirect(url_for("admin.users"))
    return page("admin/user_new.html", form)


def _userpage(user, form=None, password_form=None, exc: ServiceError | None = None):
    """Render a user's page: details, enable/disable, password reset."""
    form = form or UserEditForm(formdata=None, obj=user)
    password_form = password_form or PasswordForm(formdata=None)
    problems = refusal(exc, form, password_form) if exc is not None else []
    status = exc.status if exc is not None else (422 if form.errors or password_form.errors else 200)
    return page("admin/user_edit.html", form, status, user=user, password_form=password_form,
                 problems=problems)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id):
    """Change a user's name, department, phone and roles."""
    user = user_services.get_user(user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        try:
            user_services.update_user_as(current_user._get_current_object(), user,
                                         display_name=form.display_name.data, roles=form.roles.data,
                                         department=form.department.data, phone=form.phone.data,
                                         company=form.company.data)
        except ServiceError as exc:
            return _userpage(user, form, exc=exc)
        db.session.commit()
        flash(_("Saved the changes to %(name)s.", name=user.display_name), "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return _userpage(user, form)


@bp.post("/users/<int:user_id>/active")
def user_active(user_id):
    """Enable or disable a user; disabling ends all of their sessions."""
    user = user_services.get_user(user_id)
    active = chosen("active")
    try:
        user_services.set_active_as(current_user._get_current_object(), user, active)
    except ServiceError as exc:
        return _userpage(user, exc=exc)
    db.session.commit()
    if active:
        flash(_("%(name)s can sign in again.", name=user.display_name), "success")
    else:
        flash(_("%(name)s is disabled and signed out on every device.", name=user.display_name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
def user_password(user_id):
    """Set a new password for a user, ending all of their sessions."""
    user = user_services.get_user(user_id)
    password_form = PasswordForm()
    if not password_form.validate_on_submit():
        return _userpage(user, password_form=password_form)
    try:
        user_services.set_password(user, password_form.password.data)
    except ServiceError as exc:
        return _userpage(user, password_form=password_form, exc=exc)
    db.session.commit()
    if user.id == current_user.id:
        login_user(user)  # the admin's other devices are signed out, this one stays
    flash(_("The password of %(name)s is changed; they are signed out on every device.",
            name=user.display_name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# Categories -------------------------------------------------------------------------------------------------


@bp.get("/categories")
def categories():
    """List every category, in use or not."""
    return render_template("admin/categories.html",
                           categories=category_services.list_categories(include_inactive=True))


def _category_fields(form: CategoryForm) -> dict:
    return {"name": form.name.data, "name_en": form.name_en.data,
            "default_period_days": form.default_period_days.data, "active": form.active.data,
            "checklist": (form.checklist.data or "").splitlines()}


@bp.route("/categories/new", methods=["GET", "POST"])
def category_new():
    """Add a category."""
    form = CategoryCreateForm()
    if form.validate_on_submit():
        try:
            category = category_services.add_category(form.code.data, **_category_fields(form))
        except ServiceError as exc:
            return page("admin/category_form.html", form, exc.status, category=None,
                         problems=refusal(exc, form))
        db.session.commit()
        flash(_("Added the category %(name)s.", name=category.name), "success")
        return redirect(url_for("admin.categories"))
    return page("admin/category_form.html", form, category=None)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def category_edit(category_id):
    """Change a category's names, default period, active flag and checklist."""
    category = category_services.get_category(category_id)
    form = CategoryForm(data={"name": category.name, "name_en": category.name_en,
                              "default_period_days": category.default_period_days, "active": category.active,
                              "checklist": "\n".join(category.checklist or [])})
    if form.validate_on_submit():
        try:
            category_services.update_category(category, **_category_fields(form))
        except ServiceError as exc:
            return page("admin/category_form.html", form, exc.status, category=category,
                         problems=refusal(exc, form))
        db.session.commit()
        flash(_("Saved the category %(name)s.", name=category.name), "success")
        return redirect(url_for("admin.categories"))
    return page("admin/category_form.html", form, category=category)


# Imports ----------------------------------------------------------------------------------------------------


def _importpage(form, kind, status=None, **context):
    return page("admin/import.html", form, status, kind=kind, columns=imports.COLUMNS[kind], **context)


@bp.route("/import/<any(zones, users):kind>", methods=["GET", "POST"])
def import_file(kind):
    """Import zones or users from an .xlsx or .csv file: every row, or none."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _importpage(form, kind)
    upload = form.file.data
    try:
        parsed = imports.parse_file(upload.read(), upload.filename or "", kind,
                                    current_app.config["IMPORT_MAX_ROWS"])
    except ServiceError as exc:
        return _importpage(form, kind, exc.status, problems=refusal(exc))
    result = imports.import_rows(parsed)
    if result.errors:
        db.session.rollback()
        return _importpage(form, kind, 422, row_errors=result.errors, filename=upload.filename)
    db.session.commit()
    if kind == imports.ZONES:
        flash(_("Imported %(n)d zones from %(file)s.", n=result.created, file=upload.filename), "success")
        return redirect(url_for("zones.index"))
    flash(_("Imported %(n)d users from %(file)s.", n=result.created, file=upload.filename), "success")
    return redirect(url_for("admin.users"))


@bp.get("/import/<any(zones, users):kind>/template.<any(xlsx, csv):fmt>")
def import_template(kind, fmt):
    """Download an empty import file with the column headers, in the page's language."""
    english = not current_language().startswith("zh")
    if fmt == "xlsx":
        body = imports.template_xlsx(kind, english)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = imports.template_csv(kind, english)
        mimetype = "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{kind}-import-template.{fmt}"'})
