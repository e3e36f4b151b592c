"""Public invitation pages: accept a place (set a password, choose research use), and
clear pages with a way forward for links that are invalid, expired, replaced or used."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from futuredoctor import audit
from futuredoctor.auth import sessions
from futuredoctor.enrolment import capacity, consent, invitations
from futuredoctor.enrolment.blueprint import bp
from futuredoctor.enrolment.forms import AcceptInvitationForm, ActionForm, RequestLinkForm
from futuredoctor.enrolment.invitations import LinkState
from futuredoctor.extensions import limiter
from futuredoctor.passwords import hash_password
from futuredoctor.permissions import public


def _problem(state: LinkState, token: str) -> str:
    return render_template(
        "enrolment/invitation_problem.html", state=state, token=token, form=ActionForm()
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
@public
def invitation(token: str) -> str | tuple[str, int] | Response:
    link = invitations.resolve(token)
    invite = link.invitation
    accepted_by_you = (
        link.state is LinkState.USED
        and invite is not None
        and current_user.is_authenticated
        and current_user.id == invite.enrolment.user_id
    )
    if accepted_by_you and invite is not None:  # a double-clicked "Accept"
        flash(f"You have already accepted your place in {invite.enrolment.cohort.name}.", "info")
        return redirect(url_for("main.home"))
    if link.state is not LinkState.VALID or invite is None:
        return _problem(link.state, token)
    enrolment = invite.enrolment
    user = enrolment.user
    needs_password = user.password_hash is None
    if not needs_password and not (current_user.is_authenticated and current_user.id == user.id):
        return render_template("enrolment/invitation_sign_in.html", invitation=invite, token=token)
    statement = consent.current_statement()
    form = AcceptInvitationForm(needs_password=needs_password)
    if form.validate_on_submit():
        if not user.is_enabled:
            return _problem(LinkState.WITHDRAWN, token)
        invitations.accept(invite, hash_password(form.password.data) if needs_password else None)
        given = form.consent.data == "yes"
        consent.record_choice(enrolment, given, user)
        capacity.ensure_participant(user)
        audit.record(
            "invitation.accepted", actor=user, target=enrolment, cohort=enrolment.cohort.slug
        )
        sessions.start(user)
        choice = "agreed to" if given else "declined"
        flash(
            f"Welcome to {enrolment.cohort.name}. You {choice} research use of your records; "
            "you can change this at any time under Research consent.",
            "success",
        )
        return redirect(url_for("main.home"))
    status = 400 if form.errors else 200
    return (
        render_template(
            "enrolment/invitation_accept.html",
            invitation=invite,
            enrolment=enrolment,
            user=user,
            statement=statement,
            form=form,
            token=token,
        ),
        status,
    )


@bp.post("/invitations/<token>/renew")
@limiter.limit("10 per hour")
@public
def invitation_renew(token: str) -> str | Response:
    """Send a fresh link for the place an expired or replaced link was for."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("enrolment.invitation_request"))
    link = invitations.resolve(token)
    if link.invitation is None or link.state is LinkState.INVALID:
        return redirect(url_for("enrolment.invitation_request"))
    if link.state in (LinkState.USED, LinkState.WITHDRAWN):
        return _problem(link.state, token)
    invitations.renew(link.invitation)
    return redirect(url_for("enrolment.invitation_sent"))


@bp.route("/invitations/request", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@public
def invitation_request() -> tuple[str, int] | Response:
    form = RequestLinkForm()
    if form.validate_on_submit():
        invitations.renew_for_email(form.email.data or "")
        return redirect(url_for("enrolment.invitation_sent"))
    status = 400 if form.errors else 200
    return render_template("enrolment/invitation_request.html", form=form), status


@bp.get("/invitations/sent")
@public
def invitation_sent() -> str:
    return render_template("enrolment/invitation_sent.html")
