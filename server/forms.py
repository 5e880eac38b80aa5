"""The base of every desk page's form (sign-in, administration): what its fields may receive."""

import json

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto  # Flask-WTF's "read the request" default (it has no public name)
from werkzeug.datastructures import ImmutableMultiDict

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
