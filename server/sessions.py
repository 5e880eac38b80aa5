"""Sessions that stay out of the field app's files: the same bytes for everyone need no cookie.

Flask-Login looks into the session after every request (its remember cookie), and Flask then adds
"Vary: Cookie" to the answer and, for a signed-in user, a fresh Set-Cookie (sliding expiry). On the field
app's immutable files that cost every phone about 0.4 kB per file, and "Vary: Cookie" kept the browser's
HTTP cache from handing the service worker's precache the files the page had just loaded, so a first load
fetched them twice (issue 12). The app's files, the worker, the manifest and /static/ do not depend on who
asks: their answers leave the session alone.
"""

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

# Endpoints whose answer is the same whoever asks (server/shell.py's files and Flask's static folder).
SESSIONLESS = frozenset({"shell.asset", "shell.service_worker", "shell.manifest", "static"})


class FilesWithoutSession(SecureCookieSessionInterface):
    """The signed-cookie session, except that SESSIONLESS answers neither set nor vary on it."""

    def save_session(self, app: Flask, session, response) -> None:
        """Save as Flask does, unless the request was for a file that is the same for everyone."""
        if request.endpoint in SESSIONLESS:
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Use the session interface that leaves the app's files alone."""
    app.session_interface = FilesWithoutSession()
