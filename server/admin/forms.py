"""Forms of the administration pages. They parse input; the rules stay in the domains' services."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from server.auth.models import ADMIN, PATROL, RECTIFIER, ROLES, SUPERVISOR
from server.converters import db_int
from server.forms import PageForm
from server.zones.models import CUSTOM, DAILY, WEEKLY

ROLE_LABELS = {
    PATROL: _l("Patrol staff"),
    RECTIFIER: _l("Rectifier"),
    SUPERVISOR: _l("Logistics / safety office"),
    ADMIN: _l("Administrator"),
}
FREQUENCY_LABELS = {DAILY: _l("Daily"), WEEKLY: _l("Weekly"), CUSTOM: _l("Every few days")}


class WholeNumberField(IntegerField):
    """A number field that refuses, as not valid, what the database cannot hold (and JSON's 1e400 or 1.5)."""

    def process_formdata(self, valuelist):
        """Read the number sent, or mark the field not valid."""
        if not valuelist:
            return
        try:
            self.data = db_int(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value.")) from exc


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as one checkbox per option."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _roles_field():
    return CheckboxesField(_l("Roles"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])


class UserEditForm(PageForm):
    """A user's name, department, phone and roles."""

    display_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=64)])
    department = StringField(_l("Department"), validators=[Length(max=64)])
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


class ZoneForm(PageForm):
    """A zone's details (its QR token is changed only by re-issuing it)."""

    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=32)],
                       render_kw={"autocapitalize": "characters", "spellcheck": "false"})
    name = StringField(_l("Zone name"), validators=[InputRequired(), Length(max=128)])
    building = StringField(_l("Building"), validators=[Length(max=64)])
    floor = StringField(_l("Floor"), validators=[Length(max=32)])
    department = StringField(_l("Department"), validators=[Length(max=64)])
    responsible = SelectField(_l("Responsible person"), coerce=db_int, validate_choice=True)
    key_area = BooleanField(_l("Key area (重点区域)"))
    frequency = SelectField(_l("Patrol frequency"), default=WEEKLY,
                            choices=[SelectChoice(value, label) for value, label in FREQUENCY_LABELS.items()])
    frequency_days = WholeNumberField(_l("Every how many days (for “every few days”)"),
                                      validators=[Optional()],
                                      render_kw={"min": 1, "max": 365, "inputmode": "numeric"})

    def set_people(self, people, current=None) -> None:
        """Offer the active users as responsible person, and the current one even if disabled."""
        choices = [SelectChoice(0, _l("— nobody yet —"))]
        choices += [SelectChoice(u.id, f"{u.display_name} ({u.username})") for u in people]
        if current is not None and all(u.id != current.id for u in people):
            choices.append(SelectChoice(current.id, _l("%(name)s (disabled)", name=current.display_name)))
        self.responsible.choices = choices


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
