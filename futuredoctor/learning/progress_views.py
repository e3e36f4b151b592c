"""The participant's learning pages: dashboard, start/complete, reflection, feedback,
GPC coverage and the completion record. Every page shows the signed-in person's own
records only; URLs carry a module slug, never someone else's record id."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.learning import coverage as coverage_service
from futuredoctor.learning import evidence, progress
from futuredoctor.learning import feedback as feedback_service
from futuredoctor.learning.blueprint import bp
from futuredoctor.learning.feedback import FeedbackAnswers, is_editable
from futuredoctor.learning.forms import ActionForm, FeedbackForm, ReflectionForm, StartForm
from futuredoctor.learning.journey import JourneyEntry, enrolments_of, overview
from futuredoctor.learning.progress import NotReleased
from futuredoctor.learning.services import module_by_slug
from futuredoctor.livinglab.replies import replies_to
from futuredoctor.models import EnrolmentStatus, utcnow
from futuredoctor.permissions import Permission, actor, requires
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.transactions import retry_on_conflict


def _not_released(slug: str, status: int) -> tuple[str, int]:
    """A module that exists but is not released to this person: say so (a POST is refused)."""
    found = module_by_slug(slug)
    if found is None or not found.versions:
        abort(404)
    return render_template("learning/not_released.html", module=found), status


def _entry_or_refusal(slug: str) -> JourneyEntry | tuple[str, int]:
    try:
        return progress.require_entry(actor(), slug)
    except NotReleased:
        return _not_released(slug, 200 if request.method == "GET" else 400)


@bp.get("/my-learning")
@requires(Permission.TAKE_MODULES)
def my_learning() -> str:
    seen = overview(actor().id)
    return render_template(
        "learning/my_learning.html", summary=seen.summary, coming=seen.coming
    )


@bp.get("/my-learning/reflections")
@requires(Permission.TAKE_MODULES)
def my_reflections() -> str:
    return render_template(
        "learning/my_reflections.html", reflections=progress.reflections_of(actor())
    )


@bp.post("/modules/<slug>/start")
@requires(Permission.TAKE_MODULES)
def module_start(slug: str) -> Response | tuple[str, int]:
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        _, changed = retry_on_conflict(lambda: progress.start(actor(), slug, form.version.data))
    except NotReleased:
        return _not_released(slug, 400)
    except Refusal as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("learning.module", slug=slug))
    if changed:
        flash("You have started this module. Your progress is saved.", "success")
    return redirect(url_for("learning.module", slug=slug))


@bp.post("/modules/<slug>/complete")
@requires(Permission.TAKE_MODULES)
def module_complete(slug: str) -> Response | tuple[str, int]:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        _, changed = retry_on_conflict(lambda: progress.complete(actor(), slug))
    except NotReleased:
        return _not_released(slug, 400)
    except Refusal as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("learning.module", slug=slug))
    if changed:
        flash("Module completed. It is now on your completion record.", "success")
    return redirect(url_for("learning.module", slug=slug))


@bp.route("/modules/<slug>/reflection", methods=["GET", "POST"])
@requires(Permission.TAKE_MODULES)
def reflection(slug: str) -> Response | tuple[str, int]:
    entry = _entry_or_refusal(slug)
    if isinstance(entry, tuple):
        return entry
    form = ReflectionForm()
    if request.method == "GET":
        form.reflection.data = entry.progress.reflection if entry.progress else ""
    elif form.validate_on_submit():
        try:
            retry_on_conflict(
                lambda: progress.save_reflection(actor(), slug, form.reflection.data or "")
            )
        except Refusal as refusal:
            show_refusal(form, refusal, "reflection")
        else:
            flash("Your reflection is saved. Only you can see it.", "success")
            return redirect(url_for("learning.module", slug=slug))
    status = 400 if form.errors else 200
    return render_template("learning/reflection.html", entry=entry, form=form), status


@bp.route("/modules/<slug>/feedback", methods=["GET", "POST"])
@requires(Permission.TAKE_MODULES)
def feedback(slug: str) -> Response | tuple[str, int]:
    entry = _entry_or_refusal(slug)
    if isinstance(entry, tuple):
        return entry
    item = feedback_service.feedback_for(entry)
    form = FeedbackForm()
    if request.method == "GET" and item is not None:
        form.relevance.data = str(item.relevance) if item.relevance else None
        form.quality.data = str(item.quality) if item.quality else None
        form.applicability.data = str(item.applicability) if item.applicability else None
        form.text.data = item.text or ""
        form.notify_on_action.data = item.notify_on_action
    if request.method == "POST" and form.validate_on_submit():
        answers = FeedbackAnswers(
            relevance=int(form.relevance.data),
            quality=int(form.quality.data),
            applicability=int(form.applicability.data),
            text=form.text.data or None,
            notify_on_action=bool(form.notify_on_action.data),
        )
        try:
            _, created = retry_on_conflict(lambda: feedback_service.save_feedback(entry, answers))
        except Refusal as refusal:
            show_refusal(form, refusal, "relevance")
        else:
            flash(
                "Thank you: your feedback is sent to the module's educators."
                if created
                else "Your feedback is updated.",
                "success",
            )
            return redirect(url_for("learning.module", slug=slug))
    status = 400 if form.errors else 200
    return render_template(
        "learning/feedback.html",
        entry=entry,
        form=form,
        item=item,
        editable=is_editable(item),
        status_labels=feedback_service.STATUS_LABELS,
        replies=replies_to(item.id) if item is not None else [],
    ), status


@bp.get("/my-learning/gpc-coverage")
@requires(Permission.TAKE_MODULES)
def my_coverage() -> str:
    done = coverage_service.completions(actor())
    rows = coverage_service.coverage(done)
    bars, height, span = coverage_service.chart_bars(rows)
    return render_template(
        "learning/coverage.html",
        rows=rows,
        bars=bars,
        chart_height=height,
        span=span,
        geometry=coverage_service,
        completed=len(done),
    )


@bp.get("/my-learning/completion-record")
@requires(Permission.TAKE_MODULES)
def completion_record() -> str:
    me = actor()
    rows = coverage_service.completions(me)
    enrolments = [
        e
        for e in enrolments_of(me)
        if e.status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.WITHDRAWN)
    ]
    return render_template(
        "learning/completion_record.html",
        person=me,
        rows=rows,
        enrolments=enrolments,
        total_minutes=sum(r.minutes for r in rows),
        domains=coverage_service.coverage(rows),
        produced_at=utcnow(),
        code=evidence.format_code(evidence.record_code(me)),
    )
