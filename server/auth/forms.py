"""Sign-in and language forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from server.forms import PageForm


class LoginForm(PageForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"), default=True)
    next = HiddenField()


class LanguageForm(PageForm):
    """A language choice."""

    locale = HiddenField(validators=[DataRequired()])
    next = HiddenField()
