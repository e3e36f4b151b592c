"""National admins' pages for evaluation projects: create one (its key is generated on the
server and only its fingerprint shown) and attach evaluators' access to it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.date_input import DateInputError, date_from_text
from futuredoctor.evaluation import projects
from futuredoctor.evaluation.forms import AccessForm, ProjectForm
from futuredoctor.evaluation.pseudonyms import ExportUnavailable, study_secret
from futuredoctor.evaluation.views import bp
from futuredoctor.extensions import db
from futuredoctor.models import EvaluationProject
from futuredoctor.permissions import Permission, actor, requires
from futuredoctor.refusals import Refusal, show_refusal


@bp.route("/projects", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def projects_page() -> tuple[str, int] | Response:
    form = ProjectForm()
    form.scopes.choices = projects.all_scopes()
    if request.method == "POST" and form.validate_on_submit():
        dates = _dates(form)
        if dates is not None:
            try:
                project = projects.create_project(
                    actor(),
                    study_secret(),
                    form.name.data or "",
                    form.approval_reference.data or "",
                    form.scopes.data or [],
                    *dates,
                )
            except ExportUnavailable as problem:
                form.name.errors = [str(problem)]
            except Refusal as refusal:
                show_refusal(form, refusal, "name")
            else:
                flash(
                    f"Project {project.name} created with key {project.key_fingerprint}.",
                    "success",
                )
                return redirect(url_for("evaluation.project_detail", project_id=project.id))
    listed = db.session.scalars(sa.select(EvaluationProject).order_by(EvaluationProject.name))
    status = 400 if form.errors else 200
    return render_template("evaluation/projects.html", form=form, projects=list(listed)), status


def _dates(form: ProjectForm) -> tuple[date, date] | None:
    found: list[date] = []
    for field, label in ((form.starts_on, "start"), (form.ends_on, "end")):
        try:
            day = date_from_text(field.data, what=f"The {label} date")
        except DateInputError as problem:
            field.errors = [problem.message]
            continue
        if day is None:
            field.errors = [f"Enter the project's {label} date"]
            continue
        found.append(day)
    return (found[0], found[1]) if len(found) == 2 else None


@bp.route("/projects/<int:project_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def project_detail(project_id: int) -> tuple[str, int] | Response:
    project = db.get_or_404(EvaluationProject, project_id)
    form = AccessForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            access = projects.grant_access(
                actor(),
                project,
                form.email.data or "",
                bool(form.participant_level.data),
                form.approval_reference.data or "",
            )
        except Refusal as refusal:
            show_refusal(form, refusal, "email")
        else:
            level = "participant-level" if access.participant_level else "aggregate"
            flash(f"{access.user.email} now has {level} access to {project.name}.", "success")
            return redirect(url_for("evaluation.project_detail", project_id=project.id))
    labels = dict(projects.all_scopes())
    status = 400 if form.errors else 200
    return (
        render_template(
            "evaluation/project.html",
            project=project,
            form=form,
            scope_labels=[labels.get(s, s) for s in project.scopes],
        ),
        status,
    )
