"""What each role's home page shows, built from the feature services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from futuredoctor.admin import closures, outbox
from futuredoctor.community.follows import interests, recent_matching
from futuredoctor.community.messages import recent_messages
from futuredoctor.community.moderation import open_count
from futuredoctor.community.opportunities import upcoming_for, upcoming_organised
from futuredoctor.community.profiles import completeness, profile_for
from futuredoctor.content.choices import content_choices
from futuredoctor.extensions import db
from futuredoctor.learning.journey import overview
from futuredoctor.livinglab.inbox import summary_counts
from futuredoctor.main import figures
from futuredoctor.models import (
    AuditEvent,
    Role,
    User,
)
from futuredoctor.permissions import Permission, pilot_id_list
from futuredoctor.pilots.services import pilots_in_scope
from futuredoctor.query_plans import one_plan_for_any_values


@dataclass(frozen=True)
class HomeSection:
    role: Role
    data: dict[str, Any]


def home_sections(user: User) -> list[HomeSection]:
    """One section per role the user holds, in a fixed order."""
    builders = {
        Role.PARTICIPANT: _participant,
        Role.LEAD_EDUCATOR: _lead_educator,
        Role.PILOT_ADMIN: _pilot_admin,
        Role.REGIONAL_LEAD: _regional_lead,
        Role.EVALUATOR: _evaluator,
        Role.CHAMPION: _champion,
        Role.NATIONAL_ADMIN: _national_admin,
    }
    held = user.roles
    return [HomeSection(role, builders[role](user)) for role in Role if role in held]


def _participant(user: User) -> dict[str, Any]:
    """The journey and the opportunities meant for the person: two statements whose plan
    is the same for everyone, kept from one visit to the next. The section comes first
    and, for someone with no other role, is the page's last work in the database."""
    with one_plan_for_any_values(for_the_rest=user.roles == {Role.PARTICIPANT}):
        seen = overview(user.id)
        opportunities = upcoming_for(user)
    return {
        "places": seen.places,
        "journey": seen.summary,
        "opportunities": opportunities,
        "coming": seen.coming,
    }


def _grants(user: User, role: Role) -> list[Any]:
    return [g for g in user.grants if g.role is role]


def _lead_educator(user: User) -> dict[str, Any]:
    """The feedback inbox's own stored counts (co-design items included), so labels and
    figures agree, and the mentoring counts of the lead's pilots, with when each was
    counted (the older of the two is shown)."""
    pilot_ids = [g.pilot_id for g in _grants(user, Role.LEAD_EDUCATOR) if g.pilot_id]
    summaries = [s for s in pilots_in_scope(user) if s.pilot.id in pilot_ids]
    feedback, feedback_as_of = summary_counts(user)
    mentoring, mentoring_as_of = figures.mentoring(pilot_ids)
    counted = [at for at in (feedback_as_of, mentoring_as_of) if at is not None]
    return {
        "summaries": summaries,
        "feedback": feedback,
        "mentoring": mentoring,
        "counted_at": min(counted) if counted else None,
    }


def _pilot_admin(user: User) -> dict[str, Any]:
    pilot_ids = [g.pilot_id for g in _grants(user, Role.PILOT_ADMIN)]
    return {"summaries": [s for s in pilots_in_scope(user) if s.pilot.id in pilot_ids]}


def _regional_lead(user: User) -> dict[str, Any]:
    region_ids = [g.region_id for g in _grants(user, Role.REGIONAL_LEAD)]
    # The regions' names and codes from the kept content choices (by name).
    regions = [r for r in content_choices().regions if r.id in region_ids]
    summaries = [s for s in pilots_in_scope(user) if s.pilot.region_id in region_ids]
    return {"regions": regions, "summaries": summaries, "reported": open_count(user)}


def _evaluator(user: User) -> dict[str, Any]:
    """Granted scopes and how many participants there currently consent to research use
    (stored for the scope, with when it was counted)."""
    consenting, counted_at = figures.consenting(
        pilot_id_list(user, Permission.EXPORT_EVALUATION)
    )
    return {
        "grants": _grants(user, Role.EVALUATOR),
        "consenting": consenting,
        "counted_at": counted_at,
    }


def _champion(user: User) -> dict[str, Any]:
    profile = profile_for(user.id)
    return {
        "grants": _grants(user, Role.CHAMPION),
        "profile": profile,
        "completeness": completeness(profile),
        "messages": recent_messages(profile) if profile else [],
        "organised": upcoming_organised(user),
        "network": recent_matching(user, interests(user, profile)),
    }


def _national_admin(user: User) -> dict[str, Any]:
    """Platform totals (stored, with when they were counted), what waits for a decision
    (counted now, in one statement) and the latest audit events with who did them."""
    recent = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .options(joinedload(AuditEvent.actor).load_only(User.email).lazyload(User.grants))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(5)
        )
    )
    totals, counted_at = figures.totals()
    waiting = db.session.execute(
        sa.select(closures.pending_count_query(), outbox.failed_count_query())
    ).one()
    return {
        "counts": {label: totals.get(label, 0) for label in figures.TOTAL_LABELS},
        "counted_at": counted_at,
        "recent": recent,
        "closures": waiting[0],
        "failed_emails": waiting[1],
    }
