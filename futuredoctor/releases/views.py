"""Release scheduling for regional leads (their region) and lead educators (their pilot),
the calendar, the cohort preview and the region dashboard."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from futuredoctor import clock
from futuredoctor.date_input import DateInputError, date_from_parts, date_from_text
from futuredoctor.models import Cohort, Region, Release, User, utcnow
from futuredoctor.paging import page_number, pagination_params
from futuredoctor.permissions import Permission, actor, register_scoped_record, requires
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.releases import calendar, completion_trend, ical, national, services
from futuredoctor.releases import dashboard_csv as dashboard_tables
from futuredoctor.releases.dashboard import heat_shade, region_dashboard
from futuredoctor.releases.forms import RescheduleForm, ScheduleForm, WithdrawForm
from futuredoctor.timezones import (
    LocalTimeError,
    format_local,
    local_day_bounds,
    parse_release_time,
    to_local,
)
from futuredoctor.transactions import retry_on_conflict
from futuredoctor.version_picker import PICKER_LIMIT, version_picker

bp = Blueprint("releases", __name__, template_folder="templates")

register_scoped_record("release", services.load_release, lambda release: release.cohort)

DONE_KEYS = "release_forms_done"


@bp.app_template_filter("local_time")
def _local_time(value: datetime) -> str:
    """'09:00 GMT': the time of day in UK time with its zone."""
    local = to_local(value)
    return f"{local:%H:%M} {local.tzname()}"


@bp.app_template_filter("local_iso_date")
def _local_iso_date(value: datetime) -> str:
    return to_local(value).date().isoformat()


# --- calendar and list ---------------------------------------------------------------------


@bp.get("/releases")
@requires(Permission.SCHEDULE_RELEASES)
def month() -> str:
    first = calendar.parse_month(request.args.get("month"))
    if first is None or not 2000 <= first.year <= 2100:
        abort(404)
    view = calendar.month_view(actor(), first)
    return render_template(
        "releases/month.html",
        view=view,
        today=clock.today_uk(),
        feed_regions=ical.feed_regions(actor()),
    )


@bp.get("/releases/list")
@requires(Permission.SCHEDULE_RELEASES)
def listing() -> str:
    when = "past" if request.args.get("when") == "past" else "upcoming"
    page = calendar.release_list(actor(), when, page_number(request.args.get("page")))
    return render_template(
        "releases/list.html",
        page=page,
        when=when,
        now=utcnow(),
        pagination=pagination_params(
            page, lambda n: url_for("releases.listing", when=when, page=str(n))
        ),
    )


@bp.get("/releases/calendar.ics")
@requires(Permission.SCHEDULE_RELEASES)
def ical_feed() -> Response:
    """The releases in scope as an iCalendar file to import into a calendar app: one
    region's (``?region=<code>``, else the first of the person's regions)."""
    code = request.args.get("region")
    region = ical.feed_region(actor(), code)
    if region is None and code:
        abort(404)
    domain = urlsplit(request.host_url).hostname or "futuredoctor"
    filename = "future-doctor-releases" + (f"-{region.code.lower()}" if region else "")
    return Response(
        ical.releases_ics(actor(), domain, region),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}.ics"'},
    )


# --- scheduling ----------------------------------------------------------------------------


@bp.route("/releases/new", methods=["GET", "POST"])
@requires(Permission.SCHEDULE_RELEASES)
def new() -> Any:
    me = actor()
    form = ScheduleForm()
    cohorts = services.cohort_choices(me)
    if request.method == "GET":
        form.form_key.data = secrets.token_urlsafe(16)
        form.cohorts.data = [s for s in request.args.getlist("cohort") if s]
        form.version.data = request.args.get("version", "")
        return _render_new(form, cohorts)
    if request.form.get("action") == "find":
        # Search the version picker, keeping everything typed; nothing is saved.
        return _render_new(form, cohorts, status=200 if form.find.validate(form) else 400)
    if form.form_key.data and form.form_key.data in session.get(DONE_KEYS, []):
        flash("This release was already scheduled.", "info")
        return redirect(url_for("releases.listing"))
    try:
        if not form.validate_on_submit():
            abort(400)
        version, chosen, release_at = _read_schedule(form, me)
        if form.errors:
            return _render_new(form, cohorts, status=400)
        assert version is not None and chosen is not None and release_at is not None
        retry_on_conflict(
            lambda: services.schedule(me, version, chosen, release_at),
            Refusal(  # the same release submitted twice at the same moment
                "cohorts",
                "This module version was scheduled for one of these cohorts at the same "
                "moment by another request. Check the list of releases before trying again",
            ),
        )
    except Refusal as refusal:
        show_refusal(form, refusal)
        return _render_new(form, cohorts, status=400)
    session[DONE_KEYS] = [*session.get(DONE_KEYS, [])[-19:], form.form_key.data]
    names = " and ".join(c.name for c in chosen)
    flash(f"{version.label} will be released to the {names} at {_when(release_at)}.", "success")
    return redirect(url_for("releases.month", month=f"{to_local(release_at):%Y-%m}"))


def _read_schedule(form: ScheduleForm, me: User) -> tuple[Any, Any, Any]:
    """Check every field, collecting all the problems at once."""
    version = chosen = release_at = None
    for reader, field in (
        (lambda: services.find_version(form.version.data), "version"),
        (lambda: services.find_cohorts(me, form.cohorts.data or []), "cohorts"),
    ):
        try:
            value = reader()
        except Refusal as refusal:
            getattr(form, field).errors = [refusal.message]
            continue
        if field == "version":
            version = value
        else:
            chosen = value
    release_at = _read_time(form)
    return version, chosen, release_at


def _read_time(form: ScheduleForm | RescheduleForm) -> datetime | None:
    day, at = form.release_date(), form.release_clock()
    if day is None or at is None:
        return None
    try:
        return parse_release_time(day, at)
    except LocalTimeError as problem:
        field = form.release_day if problem.kind == "past" else form.release_time
        field.errors = [problem.message]
        return None


def _render_new(form: ScheduleForm, cohorts: list[Any], status: int = 200) -> Any:
    versions = version_picker(
        (form.find.data or "") if not form.find.errors else "", [form.version.data]
    )
    try:
        chosen_version = services.find_version(form.version.data)
    except Refusal:
        chosen_version = None
    shown = _cohorts_shown(form, cohorts)
    return render_template(
        "releases/new.html",
        form=form,
        cohorts=shown,
        any_cohorts=bool(cohorts),
        versions=versions,
        picker_limit=PICKER_LIMIT,
        chosen_version=chosen_version,
    ), status


def _cohorts_shown(form: ScheduleForm, cohorts: list[Any]) -> list[Any]:
    """The cohorts (``services.cohort_choices``) of one region at a time, for people whose
    cohorts span several (a national admin would otherwise get a box for every current
    cohort in the country), plus any cohort already ticked. The region list itself is
    short and fixed."""
    regions = {c.region_code: c.region_name for c in cohorts}
    if len(regions) < 2:
        form.region.choices = []
        return cohorts
    form.region.choices = list(regions.items())
    ticked = set(form.cohorts.data or [])
    code = form.region.data if form.region.data in regions else None
    if code is None:
        code = next((c for c in cohorts if c.slug in ticked), cohorts[0]).region_code
    form.region.data = code
    return [c for c in cohorts if c.region_code == code or c.slug in ticked]


def _when(instant: datetime) -> str:
    return format_local(instant)


# --- one release ---------------------------------------------------------------------------


@bp.get("/releases/<int:release_id>")
@requires(Permission.SCHEDULE_RELEASES, release="release_id")
def detail(release: Release) -> str:
    return render_template(
        "releases/detail.html", release=release, changeable=_changeable(release), now=utcnow()
    )


@bp.route("/releases/<int:release_id>/change", methods=["GET", "POST"])
@requires(Permission.SCHEDULE_RELEASES, release="release_id")
def change(release: Release) -> Any:
    form = RescheduleForm()
    problem = _changeable(release)
    if request.method == "GET":
        local = to_local(release.release_at)
        form.set_release(local.date(), local.time())
        return render_template("releases/change.html", release=release, form=form, problem=problem)
    if not form.validate_on_submit():
        abort(400)
    try:
        services.check_changeable(release)
        release_at = _read_time(form)
        if release_at is None:
            return _render_change(release, form)
        moved = services.reschedule(actor(), release, release_at)
    except Refusal as refusal:
        show_refusal(form, refusal)
        return _render_change(release, form)
    if moved:
        flash(
            f"{release.module_version.label} for the {release.cohort.name} now comes out at "
            f"{_when(release.release_at)}.",
            "success",
        )
    else:
        flash("The release time was not changed: it was already set to that time.", "info")
    return redirect(url_for("releases.detail", release_id=release.id))


def _render_change(release: Release, form: RescheduleForm) -> tuple[str, int]:
    return render_template(
        "releases/change.html", release=release, form=form, problem=_changeable(release)
    ), 400


@bp.route("/releases/<int:release_id>/withdraw", methods=["GET", "POST"])
@requires(Permission.SCHEDULE_RELEASES, release="release_id")
def withdraw(release: Release) -> Any:
    form = WithdrawForm()
    if request.method == "GET":
        return render_template(
            "releases/withdraw.html", release=release, form=form, problem=_changeable(release)
        )
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = services.withdraw(actor(), release)
    except Refusal as refusal:
        return render_template(
            "releases/withdraw.html", release=release, form=form, problem=refusal.message
        ), 400
    if changed:
        flash(
            f"Withdrew {release.module_version.label} for the {release.cohort.name}. "
            "Participants will not see it.",
            "success",
        )
    else:
        flash("This release was already withdrawn.", "info")
    return redirect(url_for("releases.detail", release_id=release.id))


def _changeable(release: Release) -> str | None:
    try:
        services.check_changeable(release)
    except Refusal as refusal:
        return refusal.message
    return None


# --- preview -------------------------------------------------------------------------------


@bp.get("/releases/preview")
@requires(Permission.SCHEDULE_RELEASES)
def preview_choose() -> Any:
    cohorts = services.cohorts_in_scope(actor(), include_ended=True)
    errors: dict[str, str] = {}
    if request.args:
        slug = request.args.get("cohort", "")
        if slug not in {c.slug for c in cohorts}:
            errors["cohort"] = "Choose a cohort from the list"
        day = _preview_day(request.args, errors)
        if not errors and day is not None:
            return redirect(url_for("releases.preview", slug=slug, date=day.isoformat()))
    status = 400 if errors else 200
    return render_template(
        "releases/preview_choose.html", cohorts=cohorts, errors=errors, args=request.args
    ), status


@bp.get("/cohorts/<slug>/preview")
@requires(Permission.SCHEDULE_RELEASES, cohort="slug")
def preview(cohort: Cohort) -> Any:
    errors: dict[str, str] = {}
    raw = request.args.get("date")
    day: date | None
    if raw:
        try:
            day = date_from_text(raw, what="The preview date", iso_only=True)
        except DateInputError as problem:
            day = None
            errors["day"] = problem.message
    elif {"day", "month", "year"} & request.args.keys():
        day = _preview_day(request.args, errors)
    else:
        day = clock.today_uk()
    if day is None:
        return render_template(
            "releases/preview.html", cohort=cohort, day=None, errors=errors, args=request.args
        ), 400
    _, end = local_day_bounds(day)
    visible, later = calendar.cohort_view_at(cohort, end - timedelta(microseconds=1))
    start, _ = local_day_bounds(day)
    return render_template(
        "releases/preview.html",
        cohort=cohort,
        day=day,
        visible=visible,
        later=later[:10],
        day_start=start,
        errors=errors,
        args={"day": day.day, "month": day.month, "year": day.year},
    )


def _preview_day(args: Any, errors: dict[str, str]) -> date | None:
    try:
        parts = (args.get(k) for k in ("day", "month", "year"))
        return date_from_parts(*parts, what="The preview date")
    except DateInputError as problem:
        errors["day"] = problem.message
        return None


# --- region dashboard ----------------------------------------------------------------------


@bp.get("/regions/<code>/dashboard")
@requires(Permission.VIEW_REGION, region="code")
def dashboard(region: Region) -> str:
    by_cohort = request.args.get("by") == "cohort"
    board = region_dashboard(region)
    months = board.months
    return render_template(
        "releases/dashboard.html",
        board=board,
        heat_shade=heat_shade,
        by_cohort=by_cohort,
        months=months,
        bars=completion_trend.chart_bars(months),
        trend=completion_trend,
    )


@bp.get("/national")
@requires(Permission.VIEW_NATIONAL)
def national_dashboard() -> str:
    lines, counted_at = national.national_overview()
    return render_template("releases/national.html", lines=lines, counted_at=counted_at)


@bp.get("/regions/<code>/dashboard.csv")
@requires(Permission.VIEW_REGION, region="code")
def dashboard_csv(region: Region) -> Response:
    """One of the dashboard's tables (``?table=coverage`` or ``completion``) as CSV."""
    table = request.args.get("table", "coverage")
    if table not in dashboard_tables.TABLES:
        abort(404)
    filename = f"{region.code.lower()}-{table}-{clock.today_uk():%Y-%m-%d}.csv"
    return Response(
        dashboard_tables.table_csv(region_dashboard(region), table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
