"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter import RequestLimit
from flask_login import current_user
from werkzeug.wrappers import Response

from futuredoctor import audit
from futuredoctor.auth import sessions
from futuredoctor.auth.forms import LoginForm, LogoutForm
from futuredoctor.auth.services import authenticate, safe_next_url
from futuredoctor.extensions import limiter
from futuredoctor.permissions import public, signed_in
from futuredoctor.transactions import keep_when_refused

bp = Blueprint("auth", __name__, template_folder="templates")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _audit_rate_limited(limit: RequestLimit) -> None:
    """A sign-in refused by the per-address limit is worth knowing about (and keeping)."""
    audit.record("login.rate_limited", limit=str(limit.limit))
    keep_when_refused()


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], on_breach=_audit_rate_limited)
@public
def login() -> str | tuple[str, int] | Response:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = _relative(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next_url(form.next.data) or url_for("main.home"))
    error = None
    if form.validate_on_submit():
        result = authenticate(form.email.data or "", form.password.data or "")
        if result.user is not None:
            sessions.start(result.user)
            return redirect(safe_next_url(form.next.data) or url_for("main.home"))
        keep_when_refused()  # the failure count and audit event outlive the refusal
        error = result.error
    status = 200 if error is None and not form.errors else 400
    return render_template("auth/login.html", form=form, error=error), status


def _relative(url: str | None) -> str | None:
    """Flask-Login passes an absolute ``next``; keep only its same-host path."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next_url(path)


@bp.route("/sign-out", methods=["GET", "POST"])
@signed_in
def logout() -> str | Response:
    form = LogoutForm()
    if form.validate_on_submit():
        audit.record("logout", actor=current_user, target=current_user)
        sessions.end_current()
        flash("You have signed out.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html", form=form)


from futuredoctor.auth import password_views  # noqa: E402,F401  (routes on this blueprint)
