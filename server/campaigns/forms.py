"""The desk's campaign and checklist forms. They parse input; the rules stay in services.py."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, FieldList, FormField, RadioField, SelectChoice, SelectField, StringField
from wtforms import Form as RowForm
from wtforms.validators import InputRequired, Length, Optional

from server.admin.forms import CheckboxesField
from server.forms import PageForm

ALL, BUILDINGS, DEPARTMENTS, PICKED = "all", "buildings", "departments", "zones"
SCOPE_LABELS = {ALL: _l("All zones in use"), BUILDINGS: _l("The zones of the buildings ticked"),
                DEPARTMENTS: _l("The zones of the departments ticked"), PICKED: _l("The zones ticked")}
BLANK_ROWS = 3  # empty item rows a template form offers for new items


class CampaignForm(PageForm):
    """A new campaign: title, first and last day, checklist template, and which zones."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=100)],
                        render_kw={"placeholder": "国庆节前安全专项检查"})
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    template_id = SelectField(_l("Checklist"), coerce=int, validators=[InputRequired()])
    scope = RadioField(_l("Zones"), choices=[SelectChoice(k, v) for k, v in SCOPE_LABELS.items()],
                       default=ALL)
    buildings = CheckboxesField(_l("Buildings"), validators=[Optional()])
    departments = CheckboxesField(_l("Departments"), validators=[Optional()])
    zones = CheckboxesField(_l("Zones"), coerce=int, validators=[Optional()])


class ItemRow(RowForm):
    """One item row of a checklist template."""

    group = StringField(_l("Group"), validators=[Length(max=64)])
    category_id = SelectField(_l("Hazard category"), coerce=int, default=0)
    text = StringField(_l("What to check"), validators=[Length(max=500)])
    standard = StringField(_l("Standard (检查标准)"), validators=[Length(max=2000)])
    remedy = StringField(_l("When it fails (处置方法)"), validators=[Length(max=2000)])
    group_en = StringField(_l("Group in English"), validators=[Length(max=64)])
    text_en = StringField(_l("What to check, in English"), validators=[Length(max=500)])
    standard_en = StringField(_l("Standard, in English"), validators=[Length(max=2000)])
    remedy_en = StringField(_l("When it fails, in English"), validators=[Length(max=2000)])


class TemplateForm(PageForm):
    """A checklist template: its names and its item rows (a row with no text is left out)."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=100)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=100)])
    items = FieldList(FormField(ItemRow), min_entries=1, max_entries=200)
