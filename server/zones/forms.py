"""The zone form of the desk: it parses input; the rules stay in zones/services.py."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from server.converters import db_int
from server.forms import PageForm, WholeNumberField
from server.zones.models import CUSTOM, DAILY, WEEKLY

FREQUENCY_LABELS = {DAILY: _l("Daily"), WEEKLY: _l("Weekly"), CUSTOM: _l("Every few days")}


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
