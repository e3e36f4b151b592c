"""An educator's development hub, self-assessment, progress chart and printable summary.

Everything here is the signed-in educator's own: snapshots are loaded only through their
owner, so anyone else (any role) gets a 404.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from futuredoctor import clock
from futuredoctor.educators import plan
from futuredoctor.educators import progress_chart as geometry
from futuredoctor.educators import self_assessment as sa_service
from futuredoctor.educators.blueprint import DEVELOP, bp
from futuredoctor.educators.educator import is_educator, opt_in
from futuredoctor.educators.forms import AssessmentForm, OptInForm
from futuredoctor.educators.progress_chart import progress_chart
from futuredoctor.models import MilestoneFramework, SelfAssessment
from futuredoctor.permissions import actor, get_owned_or_404, requires
from futuredoctor.refusals import Refusal


def _opt_in_page() -> tuple[str, int]:
    return render_template("educators/opt_in.html", form=OptInForm()), 200


@bp.get("/")
@requires(DEVELOP)
def index() -> tuple[str, int] | str:
    user = actor()
    if not is_educator(user):
        return _opt_in_page()
    history = sa_service.assessments(user)
    return render_template(
        "educators/index.html",
        latest=history[-1] if history else None,
        count=len(history),
    )


@bp.post("/opt-in")
@requires(DEVELOP)
def opt_in_view() -> Response:
    if opt_in(actor()):
        flash("You have joined educator development. Start with a self-assessment.", "success")
    return redirect(url_for("educators.index"))


def _entries(form: AssessmentForm, framework: MilestoneFramework) -> None:
    for sub in sa_service.subcompetencies(framework):
        form.ratings.append_entry({"code": sub.code})


def _render_form(
    form: AssessmentForm, framework: MilestoneFramework, problems: list[dict[str, str]], code: int
) -> tuple[str, int]:
    subs = {sub.code: sub for sub in sa_service.subcompetencies(framework)}
    rows = [(entry, subs.get(entry.form.code.data)) for entry in form.ratings]
    return render_template(
        "educators/assessment_new.html",
        form=form,
        framework=framework,
        rows=[(entry, sub) for entry, sub in rows if sub is not None],
        problems=problems,
    ), code


@bp.route("/self-assessment", methods=["GET", "POST"])
@requires(DEVELOP)
def assessment_new() -> tuple[str, int] | Response:
    user = actor()
    if not is_educator(user):
        return _opt_in_page()
    framework = sa_service.current_framework()
    if framework is None:
        return render_template("educators/not_ready.html"), 200
    form = AssessmentForm()
    problems: list[dict[str, str]] = []
    if not form.is_submitted():
        form.framework_version.data = str(framework.version)
        _entries(form, framework)
        return _render_form(form, framework, problems, 200)
    if form.validate():
        rows = [
            sa_service.RatingInput(
                entry.form.code.data or "",
                entry.form.level.data,
                entry.form.evidence_note.data or "",
                entry.form.evidence_link.data or "",
            )
            for entry in form.ratings
        ]
        try:
            assessment = sa_service.record_assessment(user, form.framework_version.data, rows)
        except Refusal as refusal:
            problems.append(_place(form, refusal))
        else:
            flash(
                f"Self-assessment saved: {len(assessment.ratings)} subcompetencies rated.",
                "success",
            )
            return redirect(url_for("educators.progress"))
    else:
        for entry in form.ratings:
            for field in entry.form:
                for error in field.errors:
                    problems.append({"text": error, "href": f"#{field.id}"})
    if not form.ratings.entries:
        _entries(form, framework)
    return _render_form(form, framework, problems, 400)


def _place(form: AssessmentForm, refusal: Refusal) -> dict[str, str]:
    """Put the refusal next to the row and field it names ("ETP1.level")."""
    code, _, name = (refusal.field or "").partition(".")
    for entry in form.ratings:
        if entry.form.code.data == code and name:
            field = entry.form[name]
            field.errors = [*field.errors, refusal.message]
            return {"text": refusal.message, "href": f"#{field.id}"}
    return {"text": refusal.message, "href": "#ratings"}


@bp.get("/progress")
@requires(DEVELOP)
def progress() -> tuple[str, int] | str:
    user = actor()
    if not is_educator(user):
        return _opt_in_page()
    framework = sa_service.current_framework()
    history = sa_service.assessments(user)
    subs = sa_service.subcompetencies(framework) if framework else []
    return render_template(
        "educators/progress.html",
        chart=progress_chart(history, subs),
        geometry=geometry,
        history=history,
    )


@bp.get("/self-assessment/<int:assessment_id>")
@requires(DEVELOP)
def assessment(assessment_id: int) -> str:
    user = actor()
    snapshot = get_owned_or_404(SelfAssessment, assessment_id, user, lambda a: a.user_id)
    return render_template("educators/assessment.html", assessment=snapshot)


@bp.get("/summary")
@requires(DEVELOP)
def summary() -> tuple[str, int] | str:
    user = actor()
    if not is_educator(user):
        return _opt_in_page()
    framework = sa_service.current_framework()
    history = sa_service.assessments(user)
    return render_template(
        "educators/summary.html",
        person=user,
        framework=framework,
        latest=sa_service.latest_levels(history),
        history=history,
        produced_at=clock.now(),
        goals=plan.goals(user),
    )
