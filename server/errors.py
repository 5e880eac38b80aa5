"""Typed errors raised by services; mapped to HTTP statuses in one place (server/api/errors.py)."""

from flask_babel import lazy_gettext as _l


class ServiceError(Exception):
    """A refusal a person can act on: a status, a stable code and a translated message."""

    status = 400
    code = "bad_request"

    def __init__(self, message=None, *, details=None):
        super().__init__(str(message) if message is not None else self.code)
        self.message = message if message is not None else self.default_message()
        self.details = details

    def default_message(self):
        """Return the message used when none was given."""
        return _l("The request could not be processed.")


class ValidationFailed(ServiceError):
    """Input is missing or malformed (422 in the API, the form shows it)."""

    status = 422
    code = "validation_failed"

    def default_message(self):
        """Return the message used when none was given."""
        return _l("Some fields are missing or not valid.")


class NotFound(ServiceError):
    """The record does not exist, or the user may not know that it exists."""

    status = 404
    code = "not_found"

    def default_message(self):
        """Return the message used when none was given."""
        return _l("Not found.")


class Forbidden(ServiceError):
    """The user's role does not allow the action."""

    status = 403
    code = "forbidden"

    def default_message(self):
        """Return the message used when none was given."""
        return _l("You are not allowed to do this.")


class Conflict(ServiceError):
    """The record is in a state (or has content) that does not allow the action."""

    status = 409
    code = "conflict"

    def default_message(self):
        """Return the message used when none was given."""
        return _l("This conflicts with the current state of the record.")


class InvalidTransition(Conflict):
    """The hazard's state does not allow the action."""

    code = "invalid_transition"


class BadUpload(ServiceError):
    """An uploaded file is of the wrong type, too large or malformed."""

    status = 400
    code = "bad_upload"

    def default_message(self):
        """Return the message used when none was given."""
        return _l("The uploaded file could not be used.")


class TooLarge(BadUpload):
    """An uploaded file is over the size limit."""

    status = 413
    code = "too_large"
