"""Colleague feedback: asking for it, the aggregated results, and the public answer page
reached from the emailed link (no account; the signed link is the permission)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.educators import colleague_feedback as service
from futuredoctor.educators import self_assessment
from futuredoctor.educators.blueprint import DEVELOP, bp
from futuredoctor.educators.educator import is_educator
from futuredoctor.educators.forms import FeedbackRequestForm, GiveFeedbackForm, OptInForm
from futuredoctor.models import ColleagueFeedbackRequest
from futuredoctor.permissions import actor, get_owned_or_404, public, requires
from futuredoctor.refusals import Refusal, show_refusal


@bp.route("/feedback", methods=["GET", "POST"])
@requires(DEVELOP)
def feedback_requests() -> tuple[str, int] | Response:
    user = actor()
    if not is_educator(user):
        return render_template("educators/opt_in.html", form=OptInForm()), 200
    form = FeedbackRequestForm()
    framework = self_assessment.current_framework()
    subs = self_assessment.subcompetencies(framework) if framework else []
    form.subcompetencies.choices = [(s.code, f"{s.code}: {s.title}") for s in subs]
    if form.validate_on_submit():
        try:
            created = service.create_request(
                user, form.subcompetencies.data or [], form.emails.data, form.message.data
            )
        except Refusal as refusal:
            show_refusal(form, refusal, field="emails")
        else:
            count = len(created.invitations)
            flash(f"We will email {count} {'person' if count == 1 else 'people'}.", "success")
            return redirect(url_for("educators.feedback_results", request_id=created.id))
    return render_template(
        "educators/feedback_requests.html",
        form=form,
        requests=service.requests_of(user),
        needed=service.minimum(),
    ), 400 if form.errors else 200


@bp.get("/feedback/<int:request_id>")
@requires(DEVELOP)
def feedback_results(request_id: int) -> str:
    record = get_owned_or_404(ColleagueFeedbackRequest, request_id, actor(), lambda r: r.user_id)
    return render_template(
        "educators/feedback_results.html", record=record, results=service.results(record)
    )


@bp.route("/feedback/give/<token>", methods=["GET", "POST"])
@public
def give_feedback(token: str) -> tuple[str, int] | Response:
    state, invitation = service.resolve(token)
    if state is not service.LinkState.VALID or invitation is None:
        code = 400 if request.method == "POST" else 200
        return render_template("educators/feedback_link_problem.html", state=state.value), code
    form = GiveFeedbackForm()
    subs = service.subcompetencies_asked(invitation.request)
    problems: list[dict[str, str]] = []
    if form.validate_on_submit():
        levels = {s.code: request.form.get(f"level-{s.code}") for s in subs}
        try:
            service.answer(token, levels, form.comment.data)
        except Refusal as refusal:
            show_refusal(form, refusal, field="comment")
        else:
            return render_template("educators/feedback_thanks.html"), 200
    for error in form.comment.errors:
        problems.append({"text": error, "href": "#comment"})
    return render_template(
        "educators/give_feedback.html",
        form=form,
        token=token,
        subs=subs,
        educator_name=service.educator_name(invitation.request),
        chosen={s.code: request.form.get(f"level-{s.code}", "") for s in subs},
        problems=problems,
    ), 400 if form.errors else 200
