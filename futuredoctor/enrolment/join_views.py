"""The public "request to join" form, and the administrators' list of requests."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from futuredoctor import clock
from futuredoctor.enrolment import join_requests
from futuredoctor.enrolment.blueprint import bp, pagination
from futuredoctor.enrolment.forms import DecisionForm, JoinRequestForm
from futuredoctor.enrolment.registration import group_label
from futuredoctor.extensions import db, limiter
from futuredoctor.models import Cohort, JoinRequest
from futuredoctor.models.user import PERSON_DETAILS
from futuredoctor.paging import page_number
from futuredoctor.permissions import Permission, actor, get_scoped_or_404, public, requires
from futuredoctor.refusals import Refusal
from futuredoctor.transactions import savepoint

REQUESTED = "join_requested"  # session key: the cohort this browser last asked to join


def _cohort_or_404(slug: str) -> Cohort:
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.slug == slug))
    if cohort is None:
        abort(404)
    return cohort


@bp.route("/join/<slug>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@public
def join(slug: str) -> tuple[str, int] | Response:
    cohort = _cohort_or_404(slug)
    is_open = join_requests.window_open(cohort, clock.today_uk())
    form = JoinRequestForm()
    if request.method == "GET" and current_user.is_authenticated:
        for name in ("email", "given_name", "family_name", *PERSON_DETAILS):
            value = getattr(current_user, name, None)
            if value:
                getattr(form, name).data = value
    if is_open and request.method == "POST" and form.check_against(cohort):
        applicant = join_requests.Applicant(
            email=form.email.data or "",
            given_name=form.given_name.data or "",
            family_name=form.family_name.data or "",
            professional_group=form.professional_group.data or "",
            registration_body=form.registration_body.data or None,
            registration_number=form.registration_number.data or None,
            career_stage=form.career_stage.data or None,
            employer=form.employer.data or None,
            message=form.message.data or None,
        )
        user = current_user if current_user.is_authenticated else None
        join_requests.submit(cohort, applicant, user)
        session[REQUESTED] = cohort.slug
        return redirect(url_for("enrolment.join_requested", slug=cohort.slug))
    status = 400 if form.errors else 200
    return render_template("enrolment/join.html", cohort=cohort, form=form, is_open=is_open), status


@bp.get("/join/<slug>/requested")
@public
def join_requested(slug: str) -> str | Response:
    """Says "request sent" only to the browser that sent one for this cohort; anyone else
    (a shared or guessed link) is taken to the form."""
    cohort = _cohort_or_404(slug)
    if session.get(REQUESTED) != cohort.slug:
        return redirect(url_for("enrolment.join", slug=cohort.slug))
    return render_template("enrolment/join_requested.html", cohort=cohort)


@bp.get("/join-requests")
@requires(Permission.MANAGE_ENROLMENT)
def join_request_list() -> str:
    page = join_requests.pending_in_scope(actor(), page_number(request.args.get("page")))
    return render_template(
        "enrolment/join_requests.html",
        page=page,
        pagination=pagination(page),
        decided=join_requests.recent_decisions(actor()),
        form=DecisionForm(),
        group_label=group_label,
    )


@bp.post("/join-requests/decide")
@requires(Permission.MANAGE_ENROLMENT)
def join_request_decide() -> tuple[str, int] | Response:
    form = DecisionForm()
    if not form.validate_on_submit():
        if form.reason.errors:
            flash(form.reason.errors[0], "info")
            return redirect(url_for("enrolment.join_request_list"))
        abort(400)
    join_request = get_scoped_or_404(
        JoinRequest, form.request_id.data, Permission.MANAGE_ENROLMENT, lambda r: r.cohort
    )
    name = f"{join_request.given_name} {join_request.family_name}"
    cohort = join_request.cohort
    try:
        # The refusal is answered with a redirect (which the door commits), so the
        # savepoint undoes what approving flushed before it was refused.
        with savepoint():
            if form.decision.data == "approve":
                enrolment = join_requests.approve(join_request, actor())
                outcome = (
                    f"Approved {name}: on the waitlist for {cohort.name}, which is full."
                    if enrolment.status.value == "waitlisted"
                    else f"Approved {name}: enrolled in {cohort.name} and sent an invitation."
                )
            else:
                join_requests.decline(join_request, actor(), form.reason.data or None)
                outcome = f"Declined the request from {name}."
    except Refusal as refusal:
        flash(refusal.message, "info")
    else:
        flash(outcome, "success")
    return redirect(url_for("enrolment.join_request_list"))
