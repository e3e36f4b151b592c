"""Organising opportunities: publishing, changing, one's own list, the registrations and
attendance. Organisers see only their own opportunities' registrations: anyone else's
opportunity is "page not found" here."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.community import opportunities, registrations
from futuredoctor.community.blueprint import bp, pagination
from futuredoctor.community.opportunity_forms import AttendanceForm, OpportunityForm
from futuredoctor.models import AudienceKind, Opportunity, RegistrationStatus
from futuredoctor.paging import page_number
from futuredoctor.permissions import Permission, actor, get_owned_or_404, requires
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.timezones import to_local

PUBLISH = Permission.PUBLISH_OPPORTUNITIES


def _own_or_404(opportunity_id: int) -> Opportunity:
    return get_owned_or_404(Opportunity, opportunity_id, actor(), lambda o: o.organiser_id)


def _form(opportunity: Opportunity | None = None) -> OpportunityForm:
    regions = opportunities.organiser_regions(actor())
    form = OpportunityForm(obj=opportunity)
    form.region.choices = [(r.code, r.name) for r in regions]
    if len(regions) != 1:
        form.region.choices.insert(0, ("", "Choose a region"))
    form.regions.choices = [(r.code, r.name) for r in opportunities.all_regions()]
    if not form.is_submitted():
        if opportunity is not None:
            starts, ends = to_local(opportunity.starts_at), to_local(opportunity.ends_at)
            closes = to_local(opportunity.closes_at)
            form.set_times(starts.date(), starts.time(), ends.time(), closes.date())
            form.region.data = opportunity.region.code
            form.kind.data = opportunity.kind.value
            form.is_public.data = "yes" if opportunity.is_public else "no"
            form.regions.data = opportunity.audience_values(AudienceKind.REGION)
            form.professional_groups.data = opportunity.audience_values(
                AudienceKind.PROFESSIONAL_GROUP
            )
            form.career_stages.data = opportunity.audience_values(AudienceKind.CAREER_STAGE)
        else:
            form.region.data = regions[0].code if len(regions) == 1 else ""
            form.is_public.data = "no"
    return form


def _input(form: OpportunityForm) -> opportunities.OpportunityInput:
    assert form.starts_on and form.starts and form.ends and form.closes_on
    return opportunities.OpportunityInput(
        kind=form.kind.data or "",
        title=form.title.data or "",
        description=form.description.data or "",
        location=form.location.data or "",
        region_code=form.region.data or "",
        start_day=form.starts_on,
        start_time=form.starts,
        end_time=form.ends,
        closes_on=form.closes_on,
        capacity=int(form.capacity.data or 0),
        is_public=form.is_public.data == "yes",
        regions=list(form.regions.data or []),
        professional_groups=list(form.professional_groups.data or []),
        career_stages=list(form.career_stages.data or []),
    )


@bp.route("/opportunities/new", methods=["GET", "POST"])
@requires(PUBLISH)
def opportunity_new() -> tuple[str, int] | Response:
    form = _form()
    if form.validate_on_submit():
        try:
            opportunity = opportunities.publish(actor(), _input(form))
        except Refusal as refusal:
            show_refusal(form, refusal, "title")
        else:
            flash(f"Published “{opportunity.title}”.", "success")
            return redirect(url_for("community.opportunity", opportunity_id=opportunity.id))
    code = 400 if form.errors else 200
    return render_template("community/opportunity_form.html", form=form, opportunity=None), code


@bp.route("/opportunities/<int:opportunity_id>/change", methods=["GET", "POST"])
@requires(PUBLISH)
def opportunity_change(opportunity_id: int) -> tuple[str, int] | Response:
    opportunity = _own_or_404(opportunity_id)
    form = _form(opportunity)
    if form.validate_on_submit():
        try:
            opportunities.change(opportunity, actor(), _input(form))
        except Refusal as refusal:
            show_refusal(form, refusal, "title")
        else:
            flash("Your changes are saved.", "success")
            return redirect(url_for("community.opportunity", opportunity_id=opportunity.id))
    code = 400 if form.errors else 200
    return render_template(
        "community/opportunity_form.html", form=form, opportunity=opportunity
    ), code


@bp.get("/opportunities/organised")
@requires(PUBLISH)
def organised() -> str:
    page = opportunities.organised_by(actor(), page_number(request.args.get("page")))
    return render_template("community/organised.html", page=page, pagination=pagination(page))


def _render_registrations(
    opportunity: Opportunity, form: AttendanceForm, code: int = 200
) -> tuple[str, int]:
    rows = registrations.registrations_for(opportunity)
    return render_template(
        "community/registrations.html",
        opportunity=opportunity,
        rows=rows,
        form=form,
        statuses=RegistrationStatus,
    ), code


@bp.get("/opportunities/<int:opportunity_id>/registrations")
@requires(PUBLISH)
def opportunity_registrations(opportunity_id: int) -> tuple[str, int]:
    return _render_registrations(_own_or_404(opportunity_id), AttendanceForm())


@bp.post("/opportunities/<int:opportunity_id>/attendance")
@requires(PUBLISH)
def attendance(opportunity_id: int) -> tuple[str, int] | Response:
    opportunity = _own_or_404(opportunity_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        changed = registrations.mark_attendance(opportunity, set(form.attended.data or []))
        flash(f"Attendance saved ({changed} changed).", "success")
        return redirect(
            url_for("community.opportunity_registrations", opportunity_id=opportunity.id)
        )
    return _render_registrations(opportunity, form, 400)
