"""What every desk page's form shares (sign-in, administration, zones): what its fields may receive, and how a
page answers a form sent back with mistakes or refused by a service."""

import json

from flask import render_template, request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto  # Flask-WTF's "read the request" default (it has no public name)
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import IntegerField

from server.converters import db_int
from server.errors import ServiceError
from server.extensions import db

SUBMIT_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class PageForm(FlaskForm):
    """A form of a desk page: its fields receive text, whether it is posted as a form or as JSON."""

    class Meta(FlaskForm.Meta):
        """Flask-WTF's settings, with a JSON body read as text fields."""

        def wrap_formdata(self, form, formdata):
            """Return the data the fields read: a JSON object's numbers, lists and nulls become text."""
            if (formdata is _Auto and request.method in SUBMIT_METHODS and request.is_json
                    and not request.form and not request.files):
                # Flask-WTF hands JSON values to the fields as they are: a text field given a float fails on
                # len(), and a body that is a list is not a dict at all (a 500 either way). An HTML form only
                # ever sends text (a list: the same name repeated), so the fields get that here too; a body
                # that is no object has no fields.
                body = request.get_json(silent=True)
                formdata = ImmutableMultiDict(
                    [(name, _text(item)) for name, value in (body.items() if isinstance(body, dict) else ())
                     for item in (value if isinstance(value, list) else [value])])
            return super().wrap_formdata(form, formdata)


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


def page(template: str, form=None, status: int | None = None, **context):
    """Render a form page; a form sent back with mistakes answers 422, so browsers, tests and logs see it."""
    if status is None:
        status = 422 if form is not None and form.errors else 200
    context.setdefault("problems", [])
    return render_template(template, form=form, **context), status


def refusal(exc: ServiceError, *forms) -> list[str]:
    """Undo the request's changes; put the refusal beside the form field it names, else return it."""
    db.session.rollback()
    for form in forms:
        for key in exc.details or {}:
            if key in form:
                form[key].errors = [*form[key].errors, str(exc.message)]
                return []
    return [str(exc.message)]


def chosen(name: str) -> bool:
    """Say whether a yes/no form field was sent as yes."""
    return request.form.get(name, "") in ("1", "true", "on", "yes")
