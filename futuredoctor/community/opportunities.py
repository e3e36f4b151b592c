"""Publishing opportunities and finding the ones meant for a person.

An opportunity's audience lists regions, professional groups and career stages; a kind
left empty means everyone. A participant's regions are those of the pilots they are
enrolled in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import joinedload, lazyload

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import (
    CAREER_STAGES,
    AudienceKind,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Opportunity,
    OpportunityAudience,
    OpportunityKind,
    Pilot,
    ProfessionalGroup,
    Region,
    Role,
    User,
)
from futuredoctor.paging import Page, paginate, paginate_bound
from futuredoctor.permissions import Permission, can_access
from futuredoctor.refusals import Refusal
from futuredoctor.request_memo import request_memo
from futuredoctor.timezones import LocalTimeError, format_local, local_day_bounds
from futuredoctor.timezones import parse_release_time as parse_local_time

PER_PAGE = 20
PUBLISHERS = (Role.CHAMPION, Role.LEAD_EDUCATOR)


@dataclass(frozen=True)
class OpportunityInput:
    kind: str
    title: str
    description: str
    location: str
    region_code: str
    start_day: date
    start_time: time
    end_time: time
    closes_on: date
    capacity: int
    is_public: bool
    regions: list[str] = field(default_factory=list)
    professional_groups: list[str] = field(default_factory=list)
    career_stages: list[str] = field(default_factory=list)


def organiser_regions(user: User) -> list[Region]:
    """Regions a person may publish in: their champion regions and their pilots' regions
    (a national admin: every region)."""
    regions = list(db.session.scalars(sa.select(Region).order_by(Region.name)))
    if Role.NATIONAL_ADMIN in user.roles:
        return regions
    ids = {g.region_id for g in user.grants if g.role is Role.CHAMPION and g.region_id}
    ids |= {g.pilot.region_id for g in user.grants if g.role is Role.LEAD_EDUCATOR and g.pilot}
    return [r for r in regions if r.id in ids]


def _instant(day: date, at: time, field_name: str, what: str) -> datetime:
    try:
        return parse_local_time(day, at)
    except LocalTimeError as problem:
        raise Refusal(field_name, f"{what}: {problem.message}") from None


def _apply(opportunity: Opportunity, user: User, data: OpportunityInput) -> None:
    region = {r.code: r for r in organiser_regions(user)}.get(data.region_code)
    if region is None:
        raise Refusal("region", "Choose a region you organise in")
    if data.kind not in {k.value for k in OpportunityKind}:
        raise Refusal("kind", "Choose the type of opportunity from the list")
    known = {r.code for r in db.session.scalars(sa.select(Region))}
    if not set(data.regions) <= known:
        raise Refusal("regions", "Choose regions from the list")
    if not set(data.professional_groups) <= {g.value for g in ProfessionalGroup}:
        raise Refusal("professional_groups", "Choose professional groups from the list")
    if not set(data.career_stages) <= set(CAREER_STAGES):
        raise Refusal("career_stages", "Choose career stages from the list")
    starts = _instant(data.start_day, data.start_time, "start_time", "Start time")
    ends = _instant(data.start_day, data.end_time, "end_time", "End time")
    if ends <= starts:
        raise Refusal("end_time", "End time must be after the start time")
    if data.closes_on > data.start_day:
        raise Refusal("closes_on_day", "Closing date must be on or before the day it starts")
    # The end of the closing day in UK time, or the start if that comes first.
    closes = min(local_day_bounds(data.closes_on)[1], starts)
    if closes <= clock.now():
        raise Refusal("closes_on_day", "Closing date must be today or later")
    if data.capacity < opportunity.places_taken:
        raise Refusal(
            "capacity",
            f"Capacity cannot be less than the {opportunity.places_taken} people already "
            "registered",
        )
    opportunity.region = region
    opportunity.kind = OpportunityKind(data.kind)
    opportunity.title = data.title
    opportunity.description = data.description
    opportunity.location = data.location
    opportunity.starts_at, opportunity.ends_at, opportunity.closes_at = starts, ends, closes
    opportunity.capacity = data.capacity
    opportunity.is_public = data.is_public
    wanted = [
        *((AudienceKind.REGION, v) for v in dict.fromkeys(data.regions)),
        *((AudienceKind.PROFESSIONAL_GROUP, v) for v in dict.fromkeys(data.professional_groups)),
        *((AudienceKind.CAREER_STAGE, v) for v in dict.fromkeys(data.career_stages)),
    ]
    kept = {(a.kind, a.value): a for a in opportunity.audience}
    opportunity.audience = [
        kept.get(pair) or OpportunityAudience(kind=pair[0], value=pair[1]) for pair in wanted
    ]


def publish(user: User, data: OpportunityInput) -> Opportunity:
    opportunity = Opportunity(organiser=user, places_taken=0)
    _apply(opportunity, user, data)
    db.session.add(opportunity)
    db.session.flush()
    return opportunity


def change(opportunity: Opportunity, user: User, data: OpportunityInput) -> Opportunity:
    """Change an opportunity; more places go to the waiting list straight away."""
    from futuredoctor.community.registrations import fill_from_waiting_list

    _apply(opportunity, user, data)
    db.session.flush()
    fill_from_waiting_list(opportunity)
    return opportunity


def _regions_of(person_id: Any) -> sa.Select[tuple[str]]:
    return (
        sa.select(Region.code)
        .join(Pilot)
        .join(Cohort)
        .join(Enrolment)
        .where(Enrolment.user_id == person_id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
    )


def _person_values(user: User) -> dict[AudienceKind, list[Any] | sa.Select[tuple[str]]]:
    # The regions stay a subquery: the audience check is one statement, not two (it runs
    # on every participant's home page).
    return {
        AudienceKind.REGION: _regions_of(user.id),
        AudienceKind.PROFESSIONAL_GROUP: [user.professional_group or ""],
        AudienceKind.CAREER_STAGE: [user.career_stage or ""],
    }


def _audience_includes(
    values: dict[AudienceKind, list[Any] | sa.Select[tuple[str]]],
) -> sa.ColumnElement[bool]:
    """A condition on ``Opportunity``: every kind of audience it names (regions, groups,
    stages) names at least one of the person's ``values``. One sub-select of the
    opportunity's audience rows, grouped by kind: as two per kind (none of the kind, or one
    that matches), PostgreSQL took longer to plan the participant's home page than to run it."""
    matches = sa.or_(
        *(
            sa.and_(OpportunityAudience.kind == kind, OpportunityAudience.value.in_(given))
            for kind, given in values.items()
        )
    )
    unmet = (
        sa.select(OpportunityAudience.kind)
        .where(OpportunityAudience.opportunity_id == Opportunity.id)
        .group_by(OpportunityAudience.kind)
        .having(sa.func.max(sa.case((matches, 1), else_=0)) == 0)
    )
    return ~unmet.exists()


def meant_for(user: User) -> sa.ColumnElement[bool]:
    """A condition on ``Opportunity``: its audience includes this person."""
    return _audience_includes(_person_values(user))


def _bound_person() -> sa.ColumnElement[bool]:
    """``meant_for`` with the person's values bound (``_person_params``), for statements
    built once."""
    return _audience_includes(
        {
            AudienceKind.REGION: _regions_of(sa.bindparam("person_id")),
            AudienceKind.PROFESSIONAL_GROUP: [sa.bindparam("person_group")],
            AudienceKind.CAREER_STAGE: [sa.bindparam("person_stage")],
        }
    )


def _person_params(user: User) -> dict[str, Any]:
    return {
        "person_id": user.id,
        "person_group": user.professional_group or "",
        "person_stage": user.career_stage or "",
    }


def is_meant_for(opportunity: Opportunity, user: User) -> bool:
    """Whether the opportunity's audience includes this person: asked once per page view
    (its access check and its "meant for you" line both ask). A request that changes
    things (not a GET) asks every time."""
    key = (opportunity.id, user.id)
    reading = has_request_context() and request.method == "GET"
    known: dict[tuple[int, int], bool] = request_memo("meant_for") if reading else {}
    if key not in known:
        params = {**_person_params(user), "opportunity_id": opportunity.id}
        known[key] = db.session.scalar(_MEANT_FOR_ONE, params) is not None
    return known[key]


# Whether one opportunity is meant for the person: its page asks on every visit.
_MEANT_FOR_ONE = sa.select(Opportunity.id).where(
    Opportunity.id == sa.bindparam("opportunity_id"), _bound_person()
)


# A list row shows the opportunity and its region: not its organiser or audience (which
# would cost two more queries per list, the organiser's grants and the audience rows).
LIST_OPTIONS = (joinedload(Opportunity.region), lazyload(Opportunity.audience))


_NOW = sa.bindparam("now", type_=Opportunity.ends_at.type)


def _upcoming() -> sa.Select[tuple[Opportunity]]:
    """Opportunities still to end (the moment bound as ``now``), soonest first: the lists'
    statements are built once from it, with their values bound."""
    return (
        sa.select(Opportunity)
        .where(Opportunity.ends_at > _NOW)
        .options(*LIST_OPTIONS)
        .order_by(Opportunity.starts_at, Opportunity.id)
    )


def for_person(user: User, number: int) -> Page:
    """Upcoming opportunities meant for this person, soonest first."""
    params = {**_person_params(user), "now": clock.now()}
    return paginate_bound(
        "opportunities for a person",
        lambda: _upcoming().where(_bound_person()),
        params,
        number,
        PER_PAGE,
    )


def public_page(number: int) -> Page:
    return paginate_bound(
        "public opportunities",
        lambda: _upcoming().where(Opportunity.is_public.is_(True)),
        {"now": clock.now()},
        number,
        PER_PAGE,
    )


def organised_by(user: User, number: int) -> Page:
    stmt = (
        sa.select(Opportunity)
        .where(Opportunity.organiser_id == user.id)
        .options(joinedload(Opportunity.region))
        .order_by(Opportunity.starts_at.desc(), Opportunity.id.desc())
    )
    return paginate(stmt, number, PER_PAGE)


# The region page's and an organiser's home lists.
_IN_REGION = (
    _upcoming()
    .where(Opportunity.region_id == sa.bindparam("region_id"))
    .limit(sa.bindparam("limit"))
)
_ORGANISED = (
    _upcoming()
    .where(Opportunity.organiser_id == sa.bindparam("organiser_id"))
    .limit(sa.bindparam("limit"))
)


def in_region(region: Region, limit: int = 10) -> list[Opportunity]:
    """The region's opportunities still to end, soonest first."""
    params = {"now": clock.now(), "region_id": region.id, "limit": limit}
    return list(db.session.scalars(_IN_REGION, params))


def visible_to(opportunity: Opportunity, user: User) -> bool:
    """Who may open an opportunity's page: its organiser, anyone it is meant for, those
    who see its region's page (its regional lead and champions, national admins), and
    anyone at all when it is public."""
    return (
        opportunity.is_public
        or opportunity.organiser_id == user.id
        or can_access(user, Permission.VIEW_REGION_PAGE, opportunity.region)
        or is_meant_for(opportunity, user)
    )


def describe_closing(opportunity: Opportunity) -> str:
    return format_local(opportunity.closes_at)


def all_regions() -> list[Region]:
    return list(db.session.scalars(sa.select(Region).order_by(Region.name)))


_OpenColumns = tuple[int, str, OpportunityKind, datetime]  # id, title, kind, start


def upcoming_for(user: User, limit: int = 3) -> list[sa.Row[_OpenColumns]]:
    """The next few opportunities meant for this person still open for registration: id,
    title, kind and start (what the participant's home page shows of each), as plain rows
    read through the session's connection (no ORM work on the most visited page)."""
    params = {**_person_params(user), "now": clock.now()}
    return list(db.session.connection().execute(_upcoming_for(limit), params).all())


@lru_cache(maxsize=8)
def _upcoming_for(limit: int) -> sa.Select[_OpenColumns]:
    """``upcoming_for``'s statement, built once with bound parameters: the participant's
    home page runs it on every visit, and building it afresh (six audience subqueries)
    cost more than running it. Its plan is the same whatever the values (the home keeps
    one plan for it): the start index is walked from now, soonest first, until enough
    are found, however many opportunities have passed."""
    return (
        sa.select(Opportunity.id, Opportunity.title, Opportunity.kind, Opportunity.starts_at)
        .where(
            Opportunity.closes_at > _NOW,
            # Implied by the line above (registration closes by the start): what lets the
            # walk begin at now instead of at the first opportunity ever held.
            Opportunity.starts_at > _NOW,
            _bound_person(),
        )
        .order_by(Opportunity.starts_at, Opportunity.id)
        .limit(limit)
    )


def upcoming_organised(user: User, limit: int = 5) -> list[Opportunity]:
    """The organiser's opportunities still to come, with their places taken."""
    params = {"now": clock.now(), "organiser_id": user.id, "limit": limit}
    return list(db.session.scalars(_ORGANISED, params))
