"""Region, pilot and cohort summaries for staff, scoped by ``permissions``; aggregate
queries so the count of queries does not grow with pilots, cohorts or people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    ModuleVersion,
    Pilot,
    Region,
    Release,
    ReleaseStatus,
    User,
    utcnow,
)
from futuredoctor.models.module import version_label
from futuredoctor.permissions import Permission, scope_pilots


@dataclass
class CohortCounts:
    enrolled: int = 0
    waitlisted: int = 0
    invited: int = 0
    withdrawn: int = 0

    @classmethod
    def of(cls, cohort: Cohort) -> CohortCounts:
        """The counts the cohort row keeps (a trigger changes them with each enrolment), so
        a page showing cohorts reads no enrolment to show their places."""
        return cls(
            cohort.enrolled_count,
            cohort.waitlisted_count,
            cohort.invited_count,
            cohort.withdrawn_count,
        )


@dataclass
class PilotSummary:
    pilot: Pilot
    counts: dict[int, CohortCounts] = field(default_factory=dict)

    @property
    def enrolled(self) -> int:
        return sum(c.enrolled for c in self.counts.values())


def cohort_counts(cohort_ids: list[int]) -> dict[int, CohortCounts]:
    """Enrolment counts by status for many cohorts, counted afresh in one grouped query:
    what the kept counts (``CohortCounts.of``) must always equal."""
    counts = {cid: CohortCounts() for cid in cohort_ids}
    if not cohort_ids:
        return counts
    stmt = (
        sa.select(Enrolment.cohort_id, Enrolment.status, sa.func.count())
        .where(Enrolment.cohort_id.in_(cohort_ids))
        .group_by(Enrolment.cohort_id, Enrolment.status)
    )
    for cohort_id, status, number in db.session.execute(stmt):
        setattr(counts[cohort_id], EnrolmentStatus(status).value, number)
    return counts


def pilots_in_scope(
    user: User, permission: Permission = Permission.VIEW_PILOT
) -> list[PilotSummary]:
    stmt = (
        sa.select(Pilot)
        .join(Region)
        .options(selectinload(Pilot.cohorts), contains_eager(Pilot.region))
        .order_by(Region.name, Pilot.name)
    )
    pilots = list(db.session.scalars(scope_pilots(stmt, user, permission, Pilot.id)))
    return [pilot_summary(p) for p in pilots]


@dataclass(frozen=True)
class PilotRow:
    slug: str
    name: str
    region: str
    start_date: date
    cohorts: int


def pilot_list(user: User, permission: Permission = Permission.VIEW_PILOT) -> list[PilotRow]:
    """The pilots in scope with their number of cohorts, in one query that reads neither
    cohorts nor people: the list of every cohort with its enrolment counts grew with the
    country (98 cohorts, 73 KB and a count of 60,000 enrolments for a national admin);
    each pilot's page shows its cohorts and their counts."""
    cohorts = (
        sa.select(sa.func.count(Cohort.id))
        .where(Cohort.pilot_id == Pilot.id)
        .correlate(Pilot)
        .scalar_subquery()
    )
    stmt = (
        sa.select(Pilot.slug, Pilot.name, Region.name, Pilot.start_date, cohorts)
        .join(Region, Region.id == Pilot.region_id)
        .order_by(Region.name, Pilot.name)
    )
    stmt = scope_pilots(stmt, user, permission, Pilot.id)
    return [PilotRow(*row) for row in db.session.execute(stmt)]


def pilot_summary(pilot: Pilot) -> PilotSummary:
    return PilotSummary(pilot, {c.id: CohortCounts.of(c) for c in pilot.cohorts})


def region_pilots(region: Region) -> list[PilotSummary]:
    """The region's pilots by name, each with its cohorts and their enrolment counts, in one
    statement."""
    pilots = db.session.scalars(_REGION_PILOTS, {"region_id": region.id}).unique()
    return [pilot_summary(p) for p in pilots]


# The region page's statements, built once with their values bound: it runs them on every
# visit, and building an ORM statement (and its cache key) cost more than running it.
_REGION_PILOTS = (
    sa.select(Pilot)
    .where(Pilot.region_id == sa.bindparam("region_id"))
    .options(joinedload(Pilot.cohorts))
    .order_by(Pilot.name)
)


@dataclass(frozen=True)
class UpcomingRelease:
    """A scheduled release as the "Upcoming releases" table shows it."""

    release_at: datetime
    title: str
    number: int
    cohort_name: str

    @property
    def label(self) -> str:
        return version_label(self.title, self.number)


def upcoming_releases(cohort_ids: list[int], limit: int = 20) -> list[UpcomingRelease]:
    """The next scheduled releases to these cohorts: the few columns the table shows, in
    one statement (loading each release with its version and cohort took three)."""
    return upcoming_and_released(cohort_ids, limit, count=False)[0]


def _upcoming(count: bool) -> sa.Select[Any]:
    cohorts: sa.BindParameter[Any] = sa.bindparam("cohort_ids", expanding=True)
    released = (
        sa.select(sa.func.count())
        .where(Release.cohort_id.in_(cohorts), Release.is_released)
        .scalar_subquery()
    )
    return (
        sa.select(
            Release.release_at,
            ModuleVersion.title,
            ModuleVersion.number,
            Cohort.name,
            *([released] if count else []),
        )
        .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .where(
            Release.cohort_id.in_(cohorts),
            Release.status == ReleaseStatus.SCHEDULED,
            Release.release_at > sa.bindparam("now", type_=Release.release_at.type),
        )
        .order_by(Release.release_at, Release.id)
        .limit(sa.bindparam("limit"))
    )


_UPCOMING = {count: _upcoming(count) for count in (True, False)}


def upcoming_and_released(
    cohort_ids: list[int], limit: int = 20, count: bool = True
) -> tuple[list[UpcomingRelease], int]:
    """``upcoming_releases`` and, in the same statement, how many releases to these cohorts
    are out (the count alone when none is to come)."""
    if not cohort_ids:
        return [], 0
    params = {"cohort_ids": cohort_ids, "now": utcnow(), "limit": limit}
    rows = db.session.execute(_UPCOMING[count], params).all()
    if not count:
        return [UpcomingRelease(*row) for row in rows], 0
    if not rows:
        return [], released_count(cohort_ids)
    return [UpcomingRelease(*row[:4]) for row in rows], rows[0][4]


def released_count(cohort_ids: list[int]) -> int:
    if not cohort_ids:
        return 0
    stmt = sa.select(sa.func.count()).where(Release.cohort_id.in_(cohort_ids), Release.is_released)
    return db.session.scalar(stmt) or 0
