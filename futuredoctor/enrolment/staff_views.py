"""Pilot administrators' and lead educators' pages for a cohort: roster, export, single
enrolment, withdrawal, re-enrolment, invitations and the bulk CSV import."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse

from futuredoctor import audit, clock
from futuredoctor.enrolment import capacity, csv_commit, csv_import, invitations, roster
from futuredoctor.enrolment.blueprint import bp, pagination
from futuredoctor.enrolment.csv_format import COLUMNS, EXAMPLE_ROWS, template_csv
from futuredoctor.enrolment.forms import (
    ActionForm,
    EnrolmentActionForm,
    ImportForm,
    PersonForm,
    RosterSearchForm,
)
from futuredoctor.extensions import db
from futuredoctor.metrics import IMPORT_SECONDS
from futuredoctor.models import Cohort, Enrolment, EnrolmentStatus, User
from futuredoctor.models.user import PERSON_DETAILS
from futuredoctor.paging import page_number
from futuredoctor.permissions import Permission, actor, get_scoped_or_404, requires
from futuredoctor.pilots.services import CohortCounts
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.transactions import retry_on_conflict, savepoint

EXPORT_CHUNK_ROWS = 250


def _filters(form: RosterSearchForm) -> tuple[str, EnrolmentStatus | None]:
    status = EnrolmentStatus(form.status.data) if form.status.data else None
    return (form.q.data or "").strip(), status


@bp.get("/cohorts/<slug>/roster")
@requires(Permission.MANAGE_ENROLMENT, cohort="slug")
def roster_view(cohort: Cohort) -> tuple[str, int]:
    form = RosterSearchForm(formdata=request.args)
    number = page_number(request.args.get("page"))
    valid = not request.args or form.validate()
    page, rows = roster.roster_page(cohort, *_filters(form), number) if valid else (None, [])
    counts = CohortCounts.of(cohort)
    return (
        render_template(
            "enrolment/roster.html",
            cohort=cohort,
            form=form,
            page=page,
            rows=rows,
            pagination=pagination(page) if page else None,
            counts=counts,
            free=max(cohort.capacity - counts.enrolled - counts.invited, 0),
            released=roster.released_total(cohort),
            action_form=ActionForm(),
        ),
        200 if valid else 400,
    )


@bp.get("/cohorts/<slug>/roster.csv")
@requires(Permission.MANAGE_ENROLMENT, cohort="slug")
def roster_export(cohort: Cohort) -> BaseResponse:
    form = RosterSearchForm(formdata=request.args)
    if request.args and not form.validate():
        abort(400)
    q, status = _filters(form)
    audit.record(
        "roster.exported", actor=actor(), target=cohort, search=q, status=str(status or "")
    )  # the request door commits it before the first row is sent

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        yield "\ufeff"
        # A few hundred rows a chunk: memory stays flat, without a trip through the server
        # for every person.
        for number, row in enumerate(roster.export_rows(cohort, q, status), 1):
            writer.writerow(row)
            if number % EXPORT_CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    filename = f"{cohort.slug}-roster-{clock.today_uk():%Y-%m-%d}.csv"
    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/cohorts/<slug>/enrol", methods=["GET", "POST"])
@requires(Permission.MANAGE_ENROLMENT, cohort="slug")
def enrol(cohort: Cohort) -> tuple[str, int] | BaseResponse:
    form = PersonForm()
    if request.method == "POST" and form.check_against(cohort):
        try:
            # A double or concurrent submit loses the race on a unique constraint (the
            # account's email or the enrolment); run again, it finds the winner's rows and
            # is refused as already enrolled.
            user, enrolment = retry_on_conflict(
                lambda: _enrol_person(form, cohort),
                Refusal("email", f"{form.email.data} is already enrolled in {cohort.name}"),
            )
        except Refusal as refusal:
            show_refusal(form, refusal, "email")
        else:
            if enrolment.status is EnrolmentStatus.WAITLISTED:
                flash(f"{cohort.name} is full: {user.full_name} is on the waitlist.", "success")
            else:
                flash(f"Enrolled {user.full_name} and sent an invitation.", "success")
            return redirect(url_for("enrolment.roster_view", slug=cohort.slug))
    status = 400 if form.errors else 200
    return render_template("enrolment/enrol.html", cohort=cohort, form=form), status


def _enrol_person(form: PersonForm, cohort: Cohort) -> tuple[User, Enrolment]:
    user = _find_or_create_person(form)
    return user, capacity.enrol(user, cohort, actor())


def _find_or_create_person(form: PersonForm) -> User:
    """An existing account keeps its details; blanks are filled in from the form."""
    email = (form.email.data or "").lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    details = {name: getattr(form, name).data or None for name in PERSON_DETAILS}
    if user is None:
        user = User(
            email=email,
            given_name=form.given_name.data or "",
            family_name=form.family_name.data or "",
            **details,
        )
        db.session.add(user)
    else:
        for name, value in details.items():
            if getattr(user, name) is None and value is not None:
                setattr(user, name, value)
    db.session.flush()
    return user


def _enrolment_in(cohort: Cohort) -> Enrolment:
    """The enrolment named in the form: 400 when missing, 404 when not in this cohort."""
    form = EnrolmentActionForm()
    if not form.validate_on_submit():
        abort(400)
    return get_scoped_or_404(
        Enrolment,
        form.enrolment_id.data,
        Permission.MANAGE_ENROLMENT,
        lambda e: e.cohort,
        where=lambda e: e.cohort_id == cohort.id,
    )


def _back(cohort: Cohort) -> BaseResponse:
    target = request.form.get("return_to", "")
    if not target.startswith(f"/cohorts/{cohort.slug}/roster"):
        target = url_for("enrolment.roster_view", slug=cohort.slug)
    return redirect(target)


@bp.post("/cohorts/<slug>/enrolments/withdraw")
@requires(Permission.MANAGE_ENROLMENT, cohort="slug")
def withdraw(cohort: Cohort) -> BaseResponse:
    enrolment = _enrolment_in(cohort)
    name = enrolment.user.full_name
    try:
        with savepoint():  # refused with a redirect, which the door commits
            offered = capacity.withdraw(enrolment, actor())
    except Refusal as refusal:
        flash(refusal.message, "info")
        return _back(cohort)
    message = f"Withdrew {name} from {cohort.name}."
    if offered:
        names = ", ".join(e.user.full_name for e in offered)
        message += f" The freed place was offered to {names} from the waitlist."
    flash(message, "success")
    return _back(cohort)


@bp.post("/cohorts/<slug>/enrolments/re-enrol")
@requires(Permission.MANAGE_ENROLMENT, cohort="slug")
def re_enrol(cohort: Cohort) -> BaseResponse:
    enrolment = _enrolment_in(cohort)
    user = enrolment.user
    try:
        enrolment = retry_on_conflict(lambda: capacity.enrol(user, cohort, actor()))
    except Refusal as refusal:
        flash(refusal.message, "info")
        return _back(cohort)
    if enrolment.status is EnrolmentStatus.WAITLISTED:
        flash(f"{cohort.name} is full: {user.full_name} is back on the waitlist.", "success")
    else:
        flash(f"Re-enrolled {user.full_name} and sent a new invitation.", "success")
    return _back(cohort)


@bp.post("/cohorts/<slug>/enrolments/resend-invitation")
@requires(Permission.MANAGE_ENROLMENT, cohort="slug")
def resend_invitation(cohort: Cohort) -> BaseResponse:
    enrolment = _enrolment_in(cohort)
    if enrolment.status is not EnrolmentStatus.ENROLLED:
        flash(f"{enrolment.user.full_name} does not hold a place, so has no invitation.", "info")
        return _back(cohort)
    invitations.invite(enrolment, actor())
    audit.record("invitation.resent", actor=actor(), target=enrolment)
    flash(
        f"Sent a new invitation to {enrolment.user.email}. Older links no longer work.", "success"
    )
    return _back(cohort)


@bp.post("/cohorts/<slug>/waitlist/offer")
@requires(Permission.MANAGE_ENROLMENT, cohort="slug")
def offer_places(cohort: Cohort) -> BaseResponse:
    if not ActionForm().validate_on_submit():
        abort(400)
    offered = capacity.offer_freed_places(cohort, actor())
    if offered:
        flash(f"Offered {len(offered)} free place(s) to people on the waitlist.", "success")
    else:
        flash("There are no free places or nobody is waiting.", "info")
    return _back(cohort)


@bp.get("/cohorts/<slug>/import/template.csv")
@requires(Permission.MANAGE_ENROLMENT, cohort="slug")
def import_template(cohort: Cohort) -> BaseResponse:
    return Response(
        template_csv(cohort.slug),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="enrolment-template.csv"'},
    )


@bp.route("/cohorts/<slug>/import", methods=["GET", "POST"])
@requires(Permission.MANAGE_ENROLMENT, cohort="slug")
def import_people(cohort: Cohort) -> tuple[str, int] | BaseResponse:
    form = ImportForm()
    plan = None
    filename = ""
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = ["Select a CSV file to upload"]
        else:
            filename = upload.filename or ""
            started = time.perf_counter()
            data = upload.read()
            plan = csv_import.validate(
                data, actor(), bool(form.waitlist_overflow.data), clock.today_uk(), cohort.slug
            )
            if plan.ok:
                try:
                    result = _import(plan, filename)
                except Refusal as refusal:
                    show_refusal(form, refusal, "file")
                else:
                    IMPORT_SECONDS.labels("imported").observe(time.perf_counter() - started)
                    flash(_import_summary(result), "success")
                    return redirect(url_for("enrolment.roster_view", slug=cohort.slug))
            IMPORT_SECONDS.labels("refused").observe(time.perf_counter() - started)
            # A refused file answers 400: the door rolls back and releases the cohort locks.
    status = 400 if form.errors or plan is not None else 200
    return (
        render_template(
            "enrolment/import.html",
            cohort=cohort,
            form=form,
            plan=plan,
            filename=filename,
            columns=COLUMNS,
            examples=EXAMPLE_ROWS,
            people={p.row: p for p in plan.people} if plan is not None else {},
        ),
        status,
    )


def _import(plan: csv_import.ImportPlan, filename: str) -> csv_commit.ImportResult:
    """Write the file's plan. If the same file is submitted twice at once, the second writer
    loses on a unique constraint (an account's email or an enrolment): it is refused as
    already enrolled, and nothing of it is written."""
    try:
        with savepoint():
            return csv_commit.commit(plan, actor(), filename)
    except IntegrityError:
        raise Refusal(
            "file",
            "Some of these people were already enrolled by another upload at the same "
            "moment. Nothing from this file was saved: check the roster before uploading "
            "it again",
        ) from None


def _import_summary(result: csv_commit.ImportResult) -> str:
    parts = [f"Enrolled {result.enrolled} people and sent their invitations"]
    if result.waitlisted:
        parts.append(f"put {result.waitlisted} on a waitlist")
    parts.append(f"created {result.new_accounts} new accounts")
    return "; ".join(parts) + ". Nothing else changed."
