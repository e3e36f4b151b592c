"""Styled error pages. HTML for people, the status code for scripts."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from futuredoctor.api_errors import api_error
from futuredoctor.extensions import db
from futuredoctor.refusals import Refusal
from futuredoctor.request_log import request_id

log = logging.getLogger("futuredoctor.errors")

MESSAGES = {
    400: ("Something was wrong with that request", "Go back, reload the page and try again."),
    403: ("You do not have access to this page", "If you think you should, ask your pilot team."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That action is not allowed here", "Go back and use the buttons on the page."),
    413: ("That file is too large", "Files must be smaller than 16 MB."),
    429: (
        "Too many attempts",
        "You have tried too many times in a short period. Wait a minute, then try again.",
    ),
    500: ("Sorry, there is a problem with the service", "Try again later."),
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        return (
            render_template(
                "errors/error.html",
                code=400,
                title="Your session form has expired",
                message="The form could not be checked as coming from you. "
                "Reload the page and submit it again.",
            ),
            400,
        )

    @app.errorhandler(Refusal)
    def _refused(refusal: Refusal) -> tuple[str, int]:
        """A refusal no view showed next to a field: still a 400 that says why."""
        title, message = MESSAGES[400][0], refusal.message
        return render_template("errors/error.html", code=400, title=title, message=message), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        code = error.code or 500
        headers = _allow(error)
        if _is_api():
            return _api_error(code, error), code, headers
        title, message = MESSAGES.get(code, (error.name, error.description or ""))
        page = render_template("errors/error.html", code=code, title=title, message=message)
        return page, code, headers

    @app.errorhandler(DataError)
    def _data(error: DataError) -> Any:
        """A value the database could not hold got past a form's checks. That is a bug in
        the form (logged as one), but the person still gets a 400 that says what to do,
        and the door rolls back so nothing is half-written."""
        db.session.rollback()
        reference = request_id() or "-"
        log.error(
            "The database refused a value in %s (request %s): %s",
            request.endpoint or "unmatched",
            reference,
            type(error.orig).__name__,
            extra={"request_id": reference, "route": request.endpoint},
        )
        if _is_api():
            return api_error(400, "bad_request", MESSAGES[400][1]), 400
        page = render_template(
            "errors/error.html",
            code=400,
            title="A value could not be saved",
            message="One of the values you entered is too long or not in the expected form. "
            "Nothing was saved: go back, check what you entered and try again.",
            reference=reference,
        )
        return page, 400

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        db.session.rollback()  # so the error page can still read; the door ends the request
        reference = request_id() or "-"
        log.exception(
            "Unhandled error in %s (request %s)",
            request.endpoint or "unmatched",
            reference,
            extra={"request_id": reference, "route": request.endpoint},
        )
        if _is_api():
            return _api_error(500, None), 500
        title, message = MESSAGES[500]
        page = render_template(
            "errors/error.html", code=500, title=title, message=message, reference=reference
        )
        return page, 500


def _is_api() -> bool:
    """Scripts calling the API get JSON in the documented error shape, whatever went wrong."""
    return request.path == "/api/v1" or request.path.startswith("/api/v1/")


def _allow(error: HTTPException) -> dict[str, str]:
    """HTTP requires a 405 to say which methods the address does accept."""
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        return {"Allow": ", ".join(sorted(error.valid_methods))}
    return {}


API_CODES = {
    400: ("bad_request", "The request could not be read."),
    404: ("not_found", "No such address. See /api/v1/openapi.json for the addresses."),
    405: ("method_not_allowed", "That method is not allowed here; see the Allow header."),
    413: ("too_large", "The request is too large."),
    429: ("too_many_requests", "Too many requests in a short period. Wait, then try again."),
    500: ("server_error", "Sorry, there is a problem with the service. Try again later."),
}


def _api_error(code: int, error: HTTPException | None) -> Any:
    name, message = API_CODES.get(
        code, ((error.name if error else "error").lower().replace(" ", "_"), "")
    )
    return api_error(code, name, message or (error.description if error else "") or name)
