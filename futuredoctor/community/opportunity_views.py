"""Opportunities as people meet them: the list of those meant for you, the public list,
an opportunity's page, registering, cancelling and its calendar file.

An opportunity's page opens for its organiser, a national admin, anyone it is meant for,
and anyone at all when it is public; otherwise it is "page not found". Nobody but the
organiser sees who else registered."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as BaseResponse

from futuredoctor.community import calendar_files, opportunities, registrations
from futuredoctor.community.blueprint import bp, pagination
from futuredoctor.extensions import db
from futuredoctor.models import Opportunity, RegistrationStatus, User
from futuredoctor.paging import page_number
from futuredoctor.permissions import Permission, actor, has_permission, public, signed_in
from futuredoctor.refusals import Refusal
from futuredoctor.transactions import retry_on_conflict
from futuredoctor.typed_text import db_int

_OPPORTUNITY = (
    sa.select(Opportunity)
    .where(Opportunity.id == sa.bindparam("opportunity_id"))
    .options(
        joinedload(Opportunity.region),
        joinedload(Opportunity.organiser).lazyload(User.grants),
    )
)


def visible_or_404(opportunity_id: int) -> Opportunity:
    """The opportunity with its region and organiser (one statement, built once, and one
    for its audience), or 404 when this person may not see it."""
    opportunity = (
        db.session.scalar(_OPPORTUNITY, {"opportunity_id": opportunity_id})
        if db_int(opportunity_id)
        else None
    )
    if opportunity is None or not opportunities.visible_to(opportunity, actor()):
        abort(404)
    return opportunity


@bp.get("/opportunities")
@signed_in
def opportunity_list() -> str:
    user = actor()
    page = opportunities.for_person(user, page_number(request.args.get("page")))
    mine = registrations.my_registrations(user, [o.id for o in page.items])
    return render_template(
        "community/opportunities.html",
        page=page,
        pagination=pagination(page),
        mine=mine,
        yours=registrations.upcoming_registrations(user),
        can_publish=has_permission(user, Permission.PUBLISH_OPPORTUNITIES),
    )


@bp.get("/opportunities/public")
@public
def public_opportunities() -> str:
    page = opportunities.public_page(page_number(request.args.get("page")))
    return render_template(
        "community/public_opportunities.html", page=page, pagination=pagination(page)
    )


def _render(opportunity: Opportunity, error: str | None = None, code: int = 200) -> tuple[str, int]:
    user = actor()
    return render_template(
        "community/opportunity.html",
        opportunity=opportunity,
        registration=registrations.registration_of(opportunity, user),
        meant_for_me=opportunities.is_meant_for(opportunity, user),
        organiser=opportunity.organiser_id == user.id,
        error=error,
        statuses=RegistrationStatus,
    ), code


@bp.get("/opportunities/<int:opportunity_id>")
@signed_in
def opportunity(opportunity_id: int) -> tuple[str, int]:
    return _render(visible_or_404(opportunity_id))


@bp.post("/opportunities/<int:opportunity_id>/register")
@signed_in
def register(opportunity_id: int) -> tuple[str, int] | BaseResponse:
    opportunity = visible_or_404(opportunity_id)
    try:
        registration, changed = retry_on_conflict(
            lambda: registrations.register(opportunity, actor())
        )
    except Refusal as refusal:
        return _render(opportunity, refusal.message, 400)
    if not changed:
        flash("You had already asked for a place.", "info")
    elif registration.status is RegistrationStatus.REGISTERED:
        flash(f"You have a place at “{opportunity.title}”.", "success")
    else:
        flash(
            "It is full, so you are on the waiting list. We will tell you if a place comes free.",
            "info",
        )
    return redirect(url_for("community.opportunity", opportunity_id=opportunity.id))


@bp.post("/opportunities/<int:opportunity_id>/cancel")
@signed_in
def cancel(opportunity_id: int) -> tuple[str, int] | BaseResponse:
    opportunity = visible_or_404(opportunity_id)
    registration = registrations.registration_of(opportunity, actor())
    if registration is None:
        return _render(opportunity, "You have no place to cancel.", 400)
    try:
        registrations.cancel(registration)
    except Refusal as refusal:
        return _render(opportunity, refusal.message, 400)
    flash("Cancelled. Thank you for freeing the place.", "success")
    return redirect(url_for("community.opportunity", opportunity_id=opportunity.id))


@bp.get("/opportunities/<int:opportunity_id>/calendar.ics")
@signed_in
def opportunity_ics(opportunity_id: int) -> Response:
    opportunity = visible_or_404(opportunity_id)
    return Response(
        calendar_files.opportunity_file(opportunity),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="opportunity-{opportunity.id}.ics"'},
    )
