"""The development plan pages: the educator's goals, adding one, and reviewing one."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from futuredoctor.educators import plan as plan_service
from futuredoctor.educators import self_assessment
from futuredoctor.educators.blueprint import DEVELOP, bp
from futuredoctor.educators.educator import is_educator
from futuredoctor.educators.forms import GoalForm, OptInForm, ReviewForm
from futuredoctor.models import DevelopmentGoal
from futuredoctor.permissions import actor, get_owned_or_404, requires
from futuredoctor.refusals import Refusal, show_refusal


def _goal_form() -> GoalForm:
    form = GoalForm()
    framework = self_assessment.current_framework()
    subs = self_assessment.subcompetencies(framework) if framework else []
    form.subcompetency.choices = [("", "Choose a subcompetency")] + [
        (s.code, f"{s.code}: {s.title}") for s in subs
    ]
    form.module.choices = [("", "No module"), *plan_service.module_choices()]
    return form


@bp.route("/plan", methods=["GET", "POST"])
@requires(DEVELOP)
def plan() -> tuple[str, int] | Response:
    user = actor()
    if not is_educator(user):
        return render_template("educators/opt_in.html", form=OptInForm()), 200
    form = _goal_form()
    if form.validate_on_submit():
        try:
            plan_service.add_goal(
                user,
                form.subcompetency.data,
                form.title.data,
                form.target_date.data,
                form.module.data or None,
            )
        except Refusal as refusal:
            show_refusal(form, refusal, field="title")
        else:
            flash("Goal added to your plan.", "success")
            return redirect(url_for("educators.plan"))
    return render_template(
        "educators/plan.html", form=form, goals=plan_service.goals(user)
    ), 400 if form.errors else 200


@bp.route("/plan/<int:goal_id>", methods=["GET", "POST"])
@requires(DEVELOP)
def goal(goal_id: int) -> tuple[str, int] | Response:
    user = actor()
    record = get_owned_or_404(DevelopmentGoal, goal_id, user, lambda g: g.user_id)
    form = ReviewForm()
    if not form.is_submitted():
        form.status.data = record.status.value
        form.target_date.data = record.target_date.strftime("%d/%m/%Y")
        form.review_note.data = record.review_note
    if form.validate_on_submit():
        try:
            plan_service.review_goal(
                record, form.status.data, form.review_note.data, form.target_date.data
            )
        except Refusal as refusal:
            show_refusal(form, refusal, field="status")
        else:
            flash("Goal updated.", "success")
            return redirect(url_for("educators.plan"))
    return render_template("educators/goal.html", form=form, goal=record), (
        400 if form.errors else 200
    )
