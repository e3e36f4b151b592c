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
from futuredoctor.educators.overview import pilot_mentoring
from futuredoctor.extensions import db
from futuredoctor.learning.journey import overview
from futuredoctor.learning.upcoming import next_releases
from futuredoctor.livinglab.inbox import status_counts
from futuredoctor.models import (
    AuditEvent,
    Cohort,
    ConsentRecord,
    Enrolment,
    EnrolmentStatus,
    Module,
    ModuleVersion,
    Pilot,
    Region,
    Role,
    User,
)
from futuredoctor.permissions import Permission, scope_pilots
from futuredoctor.pilots.services import pilots_in_scope


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
    seen = overview(user.id)
    return {
        "places": seen.places,
        "journey": seen.summary,
        "opportunities": upcoming_for(user),
        "coming": next_releases(user),
    }


def _grants(user: User, role: Role) -> list[Any]:
    return [g for g in user.grants if g.role is role]


def _lead_educator(user: User) -> dict[str, Any]:
    """The same counts as the feedback inbox (co-design items included), so labels agree."""
    pilot_ids = [g.pilot_id for g in _grants(user, Role.LEAD_EDUCATOR)]
    summaries = [s for s in pilots_in_scope(user) if s.pilot.id in pilot_ids]
    mentoring = pilot_mentoring(pilot_ids)
    return {"summaries": summaries, "feedback": status_counts(user), "mentoring": mentoring}


def _pilot_admin(user: User) -> dict[str, Any]:
    pilot_ids = [g.pilot_id for g in _grants(user, Role.PILOT_ADMIN)]
    return {"summaries": [s for s in pilots_in_scope(user) if s.pilot.id in pilot_ids]}


def _regional_lead(user: User) -> dict[str, Any]:
    region_ids = [g.region_id for g in _grants(user, Role.REGIONAL_LEAD)]
    regions = list(
        db.session.scalars(sa.select(Region).where(Region.id.in_(region_ids)).order_by(Region.name))
    )
    summaries = [s for s in pilots_in_scope(user) if s.pilot.region_id in region_ids]
    return {"regions": regions, "summaries": summaries, "reported": open_count(user)}


def _evaluator(user: User) -> dict[str, Any]:
    """Granted scopes and how many participants there currently consent to research use."""
    latest = (
        sa.select(ConsentRecord.enrolment_id, sa.func.max(ConsentRecord.id).label("id"))
        .group_by(ConsentRecord.enrolment_id)
        .subquery()
    )
    stmt = (
        sa.select(sa.func.count(sa.distinct(Enrolment.user_id)))
        .select_from(Enrolment)
        .join(latest, latest.c.enrolment_id == Enrolment.id)
        .join(ConsentRecord, ConsentRecord.id == latest.c.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .where(ConsentRecord.given.is_(True), Enrolment.status == EnrolmentStatus.ENROLLED)
    )
    consenting = db.session.scalar(scope_pilots(stmt, user, Permission.EXPORT_EVALUATION, Pilot.id))
    return {"grants": _grants(user, Role.EVALUATOR), "consenting": consenting or 0}


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
    def count(model: Any) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0

    recent = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .options(joinedload(AuditEvent.actor))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .limit(5)
        )
    )
    return {
        "counts": {
            "Users": count(User),
            "Regions": count(Region),
            "Pilots": count(Pilot),
            "Modules": count(Module),
            "Module versions": count(ModuleVersion),
        },
        "recent": recent,
        "closures": closures.pending_count(),
        "failed_emails": outbox.failed_count(),
    }
