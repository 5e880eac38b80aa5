"""Sessions that stay out of the field app's files, and a session cookie sent again once a day, not with every
answer.

Flask-Login looks into the session after every request (its remember cookie), and Flask then adds
"Vary: Cookie" to the answer and, for a signed-in user, a fresh Set-Cookie (sliding expiry). On the field
app's immutable files that cost every phone about 0.4 kB per file, and "Vary: Cookie" kept the browser's
HTTP cache from handing the service worker's precache the files the page had just loaded, so a first load
fetched them twice (issue 12). The app's files, the worker, the manifest and /static/ do not depend on who
asks: their answers leave the session alone.

The same 0.4 kB came with every data answer too, only to push the cookie's expiry a few seconds on. The
expiry still slides (a patrol phone used every day stays signed in), by the day: the first answer of a day
renews the cookie, the others of that day send none. Signing out and revocation are unchanged: they clear
the session (a changed session is always sent) or end it on the server (the user's session_version).
"""

import time

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

# Endpoints whose answer is the same whoever asks (server/shell.py's files and Flask's static folder).
SESSIONLESS = frozenset({"shell.asset", "shell.service_worker", "shell.manifest", "static"})
RENEWED = "_renewed"  # the day (days since 1970, UTC) the cookie was last sent
DAY = 24 * 60 * 60


def today() -> int:
    """Return the number of whole days since 1970-01-01 UTC."""
    return int(time.time() // DAY)


class FilesWithoutSession(SecureCookieSessionInterface):
    """The signed-cookie session: no cookie on SESSIONLESS answers, and a permanent one renewed daily."""

    def should_set_cookie(self, app: Flask, session) -> bool:
        """Send the cookie when the session changed (renewal counts as a change, once a day)."""
        return session.modified

    def save_session(self, app: Flask, session, response) -> None:
        """Save as Flask does, unless the request was for a file that is the same for everyone."""
        if request.endpoint in SESSIONLESS:
            return
        if session.permanent and session.get(RENEWED) != today():
            session[RENEWED] = today()  # the expiry slides, once a day
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Use the session interface that leaves the app's files alone and renews the cookie daily."""
    app.session_interface = FilesWithoutSession()
