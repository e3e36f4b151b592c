"""The attendance register a lead educator signs for a workshop session, and the public
page where anyone holding a completion record's code can check it."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from futuredoctor.learning import coverage as coverage_service
from futuredoctor.learning import evidence
from futuredoctor.learning.blueprint import bp
from futuredoctor.learning.forms import AttendanceForm, VerifyForm
from futuredoctor.models import Release, utcnow
from futuredoctor.permissions import Permission, actor, public, requires
from futuredoctor.refusals import Refusal, show_refusal


@bp.route("/releases/<int:release_id>/attendance", methods=["GET", "POST"])
@requires(Permission.SIGN_ATTENDANCE, release="release_id")
def attendance(release: Release) -> Any:
    form = AttendanceForm()
    if form.is_submitted():
        if not form.validate():
            abort(400)
        try:
            signed = evidence.sign_off(release, form.attended.data or [], actor())
        except Refusal as refusal:
            show_refusal(form, refusal)
            return _render(release, form, 400)
        flash(
            f"Attendance signed off: {signed} {'person' if signed == 1 else 'people'} "
            "completed the session.",
            "success",
        )
        return redirect(url_for("learning.attendance", release_id=release.id))
    return _render(release, form, 200)


def _render(release: Release, form: AttendanceForm, status: int) -> tuple[str, int]:
    return render_template(
        "learning/attendance.html",
        release=release,
        form=form,
        lines=evidence.register(release),
        needs_register=evidence.needs_register(release.module_version),
    ), status


@bp.get("/verify")
@public
def verify() -> tuple[str, int]:
    """What the completion record with this code shows, and nothing more."""
    form = VerifyForm(formdata=request.args)
    raw = (form.code.data or "").strip()
    if not raw:
        return render_template("learning/verify.html", form=form, person=None), 200
    person = evidence.person_for_code(raw) if form.validate() else None
    if person is None:
        form.code.errors = ["No completion record has this code. Check it and try again"]
        return render_template("learning/verify.html", form=form, person=None), 404
    rows = coverage_service.completions(person)
    return render_template(
        "learning/verify.html",
        form=form,
        person=person,
        rows=rows,
        total_minutes=sum(r.minutes for r in rows),
        checked_at=utcnow(),
    ), 200
