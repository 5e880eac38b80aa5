"""Forms of the administration pages. They parse input; the rules stay in the domains' services."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from server.auth.models import ADMIN, PATROL, RECTIFIER, ROLES, SUPERVISOR
from server.forms import PageForm, WholeNumberField

ROLE_LABELS = {
    PATROL: _l("Patrol staff"),
    RECTIFIER: _l("Rectifier"),
    SUPERVISOR: _l("Safety supervisor"),
    ADMIN: _l("Administrator"),
}


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as one checkbox per option."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _roles_field():
    return CheckboxesField(_l("Roles"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])


class UserEditForm(PageForm):
    """A user's name, department, contractor, phone and roles."""

    display_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=64)])
    department = StringField(_l("Department"), validators=[Length(max=64)])
    company = StringField(_l("Contractor"), validators=[Length(max=64)])
    phone = StringField(_l("Phone"), validators=[Length(max=32)], render_kw={"type": "tel",
                                                                             "autocomplete": "off"})
    roles = _roles_field()


class UserCreateForm(UserEditForm):
    """A new user: a username and an initial password as well."""

    username = StringField(_l("Username"), validators=[InputRequired(), Length(max=64)],
                           render_kw={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"})
    password = PasswordField(_l("Initial password"), validators=[InputRequired()],
                             render_kw={"autocomplete": "new-password"})


class PasswordForm(PageForm):
    """A new password set by an admin."""

    password = PasswordField(_l("New password"), validators=[InputRequired()],
                             render_kw={"autocomplete": "new-password"})


class CategoryForm(PageForm):
    """A category's names, default rectification period, active flag and checklist."""

    name = StringField(_l("Chinese name"), validators=[InputRequired(), Length(max=64)])
    name_en = StringField(_l("English name"), validators=[Length(max=64)])
    default_period_days = WholeNumberField(_l("Default rectification period (days)"),
                                           validators=[Optional()],
                                           render_kw={"min": 1, "max": 365, "inputmode": "numeric"})
    active = BooleanField(_l("In use"), default=True)
    checklist = TextAreaField(_l("Checklist (one item per line)"), render_kw={"rows": 6})


class CategoryCreateForm(CategoryForm):
    """A new category; its code is made up from the English name when left empty."""

    code = StringField(_l("Code (optional)"), validators=[Optional(), Length(max=32)],
                       render_kw={"autocapitalize": "none", "spellcheck": "false"})


class ImportForm(PageForm):
    """A spreadsheet to import."""

    file = FileField(_l("Spreadsheet file (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose a file to import."))],
                     render_kw={"accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument"
                                          ".spreadsheetml.sheet,text/csv"})
