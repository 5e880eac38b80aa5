"""What every signed-in request pays before its own rows (issue 12): the user and their roles read in one
statement, the language chosen as a Locale parsed once; and an ended session still ends at once."""

import pytest
from flask import session
from flask_babel import get_locale
from flask_login import login_user

from server.auth import services
from server.auth.models import User
from server.extensions import db
from server.i18n import locale_of
from tests.statements import ran


@pytest.mark.parametrize(("roles", "said"), [
    (("patrol",), ["patrol"]),
    (("supervisor", "admin"), ["admin", "supervisor"]),
    (("rectifier", "supervisor", "patrol"), ["patrol", "rectifier", "supervisor"]),
])
def test_the_user_and_their_roles_are_one_statement(app, make_user, sign_in, roles, said):
    client = sign_in(make_user(roles=roles))
    response, statements = ran(app, lambda: client.get("/api/v1/session"))
    reads = [s for s in statements if "users" in s or "user_roles" in s]
    assert response.json["user"]["roles"] == said
    assert len(reads) == 1 and "JOIN user_roles" in reads[0]


def _end_by_version(user):
    services.end_sessions(user)


def _disable(user):
    services.set_active(user, False)


def _new_password(user):
    services.set_password(user, "another-password-1")


@pytest.mark.parametrize("end", [_end_by_version, _disable, _new_password])
@pytest.mark.parametrize(("path", "refused"), [("/api/v1/session", None), ("/api/v1/me/tasks", 401),
                                               ("/notifications", 302)])
def test_an_ended_session_ends_on_the_next_request(app, make_user, sign_in, end, path, refused):
    user = make_user(roles=("supervisor", "rectifier"))
    client = sign_in(user)
    assert client.get(path).status_code == 200
    with app.app_context():
        end(db.session.get(User, user.id))
        db.session.commit()
    response = client.get(path)
    if refused is None:  # the session answer says who is signed in: no one now
        assert (response.status_code, response.json["user"]) == (200, None)
    else:
        assert response.status_code == refused


@pytest.mark.parametrize(("chosen", "stored", "language"), [
    (None, None, "zh_CN"),  # nothing chosen: the school's language
    (None, "en", "en"),  # the account's language, on a device that chose none
    ("en", None, "en"),
    ("zh_CN", "en", "zh_CN"),  # this device's choice before the account's
    ("xx", None, "zh_CN"),  # a language the app does not speak: the default
])
def test_the_language_is_chosen_as_a_locale_parsed_once(app, make_user, sign_in, chosen, stored, language):
    user = make_user(roles=("supervisor",))
    with app.app_context():
        services.set_locale(db.session.get(User, user.id), stored)
        db.session.commit()
    client = sign_in(user)
    with client.session_transaction() as kept:
        kept.pop("locale", None)
        if chosen:
            kept["locale"] = chosen
    assert client.get("/api/v1/session").json["locale"] == language
    with app.test_request_context():
        if chosen:
            session["locale"] = chosen
        login_user(db.session.get(User, user.id))
        # The same object every time: Flask-Babel takes a Locale as it is (it parsed a code every request).
        assert get_locale() is locale_of(language)
