"""Styled error pages. HTML for people, the status code for scripts."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from futuredoctor.extensions import db
from futuredoctor.refusals import Refusal

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
    def _http(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        title, message = MESSAGES.get(code, (error.name, error.description or ""))
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        db.session.rollback()  # so the error page can still read; the door ends the request
        app.logger.exception("Unhandled error")
        title, message = MESSAGES[500]
        return render_template("errors/error.html", code=500, title=title, message=message), 500
