"""The admin's webhook form. It parses input; the rules stay in services.py."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from server.admin.forms import CheckboxesField
from server.forms import PageForm
from server.webhooks.models import (
    CAMPAIGN_START,
    DINGTALK,
    JSON_POST,
    MAJOR_HAZARD,
    OVERDUE_SUMMARY,
    SUPERVISED,
    WECOM,
)

FORMAT_LABELS = {
    WECOM: _l("WeCom group bot (企业微信)"),
    DINGTALK: _l("DingTalk group bot (钉钉)"),
    JSON_POST: _l("Generic JSON POST"),
}
EVENT_LABELS = {
    MAJOR_HAZARD: _l("New major or critical hazards"),
    OVERDUE_SUMMARY: _l("Daily overdue summary"),
    SUPERVISED: _l("Hazards flagged for supervision (督办)"),
    CAMPAIGN_START: _l("A special inspection (专项检查) starts"),
}


class WebhookForm(PageForm):
    """A webhook's name, kind, address, secret, events and whether it is in use."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=64)])
    format = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in FORMAT_LABELS.items()])
    url = StringField(_l("Bot address (webhook URL)"), validators=[InputRequired(), Length(max=500)],
                      render_kw={"type": "url", "autocapitalize": "none", "spellcheck": "false"})
    secret = PasswordField(_l("Signing secret (DingTalk 加签)"), validators=[Length(max=200)],
                           render_kw={"autocomplete": "off"})
    events = CheckboxesField(_l("Events to send"),
                             choices=[SelectChoice(k, v) for k, v in EVENT_LABELS.items()])
    active = BooleanField(_l("In use"), default=True)
