"""Getting back into an account and keeping it safe: forgotten password, staff invitation,
change password, sign out everywhere, and typing the password again before a sensitive
action."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor import audit
from futuredoctor.auth import accounts, links, sessions
from futuredoctor.auth.forms import (
    ActionForm,
    ChangePasswordForm,
    ConfirmPasswordForm,
    ForgotPasswordForm,
    NewPasswordForm,
)
from futuredoctor.auth.links import LinkState, Purpose
from futuredoctor.auth.services import safe_next_url
from futuredoctor.auth.views import bp
from futuredoctor.extensions import limiter
from futuredoctor.models import User
from futuredoctor.passwords import verify_password
from futuredoctor.permissions import actor, public, signed_in
from futuredoctor.refusals import Refusal, show_refusal

Page = str | tuple[str, int] | Response


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
@public
def forgot_password() -> Page:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_reset(form.email.data or "")
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200


def _link_problem(state: LinkState, purpose: Purpose) -> str:
    """A clear page with a way forward, like the enrolment invitation's."""
    return render_template("auth/link_problem.html", state=state.value, purpose=purpose.value)


def _set_password_page(
    token: str,
    purpose: Purpose,
    set_password: Callable[[User, str], None],
    done: Callable[[User], Response],
) -> Page:
    """The page behind a reset or invitation link: check the link, take a new password."""
    link = links.resolve(token, purpose)
    if link.state is not LinkState.VALID or link.user is None:
        return _link_problem(link.state, purpose)
    user = link.user
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data or "")
        except Refusal as refusal:
            show_refusal(form, refusal, "password")
        else:
            return done(user)
    kind = "reset" if purpose is Purpose.RESET else "invitation"
    page = render_template("auth/new_password.html", form=form, purpose=kind, user=user)
    return page, 400 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@public
def reset(token: str) -> Page:
    def done(user: User) -> Response:
        sessions.end_current("password_reset")
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.login"))

    return _set_password_page(token, Purpose.RESET, accounts.complete_reset, done)


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@public
def accept_staff_invitation(token: str) -> Page:
    def done(user: User) -> Response:
        sessions.start(user)
        flash(f"Welcome, {user.given_name}. Your account is ready.", "success")
        return redirect(url_for("main.home"))

    return _set_password_page(token, Purpose.INVITATION, accounts.accept_staff_invitation, done)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Page:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            ended = accounts.change_password(
                actor(), form.current_password.data or "", form.new_password.data or ""
            )
        except Refusal as refusal:
            show_refusal(form, refusal, "new_password")
        else:
            others = f" You were signed out on {ended} other device(s)." if ended else ""
            flash(f"Your password has been changed.{others}", "success")
            return redirect(url_for("learning.account_page"))
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/account/sign-out-everywhere", methods=["GET", "POST"])
@signed_in
def sign_out_everywhere() -> Page:
    form = ActionForm()
    if form.validate_on_submit():
        accounts.sign_out_everywhere(actor())
        flash("You have signed out on every device, including this one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/sign_out_everywhere.html", form=form)


@bp.route("/confirm-password", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@signed_in
def confirm_password() -> Page:
    form = ConfirmPasswordForm()
    if request.method == "GET":
        form.next.data = safe_next_url(request.args.get("next"))
    if form.validate_on_submit():
        if verify_password(actor().password_hash, form.password.data or ""):
            sessions.confirm_password_entered()
            audit.record("password.confirmed", actor=actor(), target=actor())
            return redirect(safe_next_url(form.next.data) or url_for("main.home"))
        form.password.errors = ["Your password is not correct"]
        audit.record("password.confirm_failed", actor=actor(), target=actor())
    return render_template("auth/confirm_password.html", form=form), 400 if form.errors else 200
