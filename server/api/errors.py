"""Map every error to a status in one place: JSON {"error": {code, message}} for the API, else a page."""

from flask import jsonify, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from server.api.schemas import Error
from server.auth.permissions import wants_json
from server.errors import ServiceError


def error_response(status: int, code: str, message, details=None):
    """Answer an error as JSON for the API, or as a page for a person."""
    message = str(message)
    if wants_json():
        body = Error.model_validate({"error": {"code": code, "message": message, "details": details or None}})
        return jsonify(body.model_dump(mode="json", exclude_none=True)), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app):
    """Register the error handlers."""
    from server.extensions import db

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        db.session.rollback()
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        db.session.rollback()
        return error_response(400, "csrf", _("The form has expired or was not sent from this site. "
                                             "Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        db.session.rollback()
        messages = {
            400: _("The request was not understood."),
            401: _("Please sign in."),
            403: _("You are not allowed to do this."),
            404: _("Not found."),
            405: _("This action is not available here."),
            413: _("The upload is too large."),
        }
        code = (exc.name or "error").lower().replace(" ", "_")
        response = error_response(exc.code or 500, code, messages.get(exc.code, exc.description))
        if exc.code == 405:  # RFC 9110: a 405 says which methods the resource does allow
            body, status = response
            allowed = dict(exc.get_headers()).get("Allow")
            return body, status, {"Allow": allowed} if allowed else {}
        return response
