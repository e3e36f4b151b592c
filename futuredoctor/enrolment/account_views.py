"""The participant's research consent page: current choice, change it, see the history."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.enrolment import consent
from futuredoctor.enrolment.blueprint import bp
from futuredoctor.enrolment.forms import ConsentForm
from futuredoctor.permissions import actor, signed_in


@bp.route("/account/research-consent", methods=["GET", "POST"])
@signed_in
def research_consent() -> tuple[str, int] | Response:
    user = actor()
    enrolments = consent.participant_enrolments(user)
    form = ConsentForm()
    failed_id = None
    if request.method == "POST":
        if form.validate_on_submit():
            enrolment = next((e for e in enrolments if e.id == form.enrolment_id.data), None)
            if enrolment is None:
                abort(404)  # not one of this person's enrolments
            given = form.consent.data == "yes"
            record = consent.record_choice(enrolment, given, user)
            if record is None:
                flash("Your choice has not changed.", "info")
            else:
                verb = "agreed to" if given else "withdrawn consent for"
                flash(f"You have {verb} research use for {enrolment.cohort.name}.", "success")
            return redirect(url_for("enrolment.research_consent"))
        if form.enrolment_id.errors:
            abort(400)
        failed_id = form.enrolment_id.data
    ids = [e.id for e in enrolments]
    status = 400 if form.errors else 200
    return (
        render_template(
            "enrolment/research_consent.html",
            enrolments=enrolments,
            current=consent.current_choices(ids),
            history=consent.history(ids),
            statement=consent.current_statement(),
            form=form,
            failed_id=failed_id,
        ),
        status,
    )
