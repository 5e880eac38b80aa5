"""The zone form of the desk: it parses input; the rules stay in zones/services.py."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from server.converters import db_int
from server.forms import PageForm, WholeNumberField
from server.zones.models import CUSTOM, DAILY, GENERAL, LOW, MAJOR, RISK_FREQUENCY, SIGNIFICANT, WEEKLY

FREQUENCY_LABELS = {DAILY: _l("Daily"), WEEKLY: _l("Weekly"), CUSTOM: _l("Every few days")}
RISK_LABELS = {MAJOR: _l("Major risk"), SIGNIFICANT: _l("Significant risk"), GENERAL: _l("General risk"),
               LOW: _l("Low risk")}


def frequency_text(frequency: str, days: int) -> str:
    """Return a patrol frequency in words: "Daily", "Weekly", "Every 3 days"."""
    return _("Every %(n)d days", n=days) if frequency == CUSTOM else str(FREQUENCY_LABELS[frequency])


def proposals_text() -> str:
    """Return the frequency each risk level proposes, in words (for the zone form's hint)."""
    return _("; ").join(_("%(level)s: %(frequency)s", level=label,
                          frequency=frequency_text(*RISK_FREQUENCY[level]))
                        for level, label in RISK_LABELS.items())


# The frequency field's choice that leaves it to the zone's risk level (services.proposed_frequency).
AS_PROPOSED = ""


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
    risk_level = SelectField(_l("Risk level"), default=GENERAL,
                             choices=[SelectChoice(value, label) for value, label in RISK_LABELS.items()])
    frequency = SelectField(_l("Patrol frequency"), default=AS_PROPOSED,
                            choices=[SelectChoice(AS_PROPOSED, _l("As its risk level proposes")),
                                     *(SelectChoice(value, label)
                                       for value, label in FREQUENCY_LABELS.items())])
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
