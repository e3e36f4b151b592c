"""``educator_development.csv``: where educators rate themselves, and how much mentoring
goes on, per region, as suppressed counts of people (aggregate packages only).

An educator counts in a region where they hold a staff grant, or where they are enrolled
with research consent current (participants who teach opted in to educator development,
but only consenting participants reach any export). Each educator's level in a domain is
the mean of the levels in their latest self-assessment's ratings in that domain, rounded
down, so a count is of people, never of ratings: one educator's several ratings cannot
add up to a publishable cell. Levels add up to the domain's total, suppressed with the same
primary and secondary rules as ``aggregates.csv``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from futuredoctor.evaluation.schema import ALL, EDUCATOR_LEVELS
from futuredoctor.evaluation.scope import ExportScope
from futuredoctor.evaluation.suppression import Cell, protect
from futuredoctor.evaluation.tables import current_consent
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    Enrolment,
    Mentorship,
    MilestoneDomain,
    MilestoneRating,
    PairingStatus,
    Pilot,
    Region,
    RoleGrant,
    SelfAssessment,
    Subcompetency,
)


def _people(scope: ExportScope) -> sa.Subquery:
    """(user_id, region_id) of every educator the package may count, in its regions."""
    region_ids = sa.select(Pilot.region_id).where(Pilot.id.in_(scope.pilot_ids()))
    staff = (
        sa.select(RoleGrant.user_id, sa.func.coalesce(RoleGrant.region_id, Pilot.region_id))
        .outerjoin(Pilot, Pilot.id == RoleGrant.pilot_id)
        .where(sa.func.coalesce(RoleGrant.region_id, Pilot.region_id).in_(region_ids))
    )
    consent = current_consent(scope)
    consenting = (
        sa.select(Enrolment.user_id, Pilot.region_id)
        .join(consent, consent.c.enrolment_id == Enrolment.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .where(Pilot.region_id.in_(region_ids))
    )
    return sa.union(staff, consenting).subquery()


def _levels(scope: ExportScope) -> dict[tuple[str, str], list[int]]:
    """(region code, domain code) -> each educator's level, from one query."""
    people = _people(scope)
    user_id, region_id = people.c
    latest = (
        sa.select(sa.func.max(SelfAssessment.id).label("id"))
        .where(SelfAssessment.user_id.in_(sa.select(user_id)))
        .group_by(SelfAssessment.user_id)
        .subquery()
    )
    stmt = (
        sa.select(Region.code, MilestoneDomain.code, SelfAssessment.user_id, MilestoneRating.level)
        .select_from(MilestoneRating)
        .join(SelfAssessment, SelfAssessment.id == MilestoneRating.assessment_id)
        .join(latest, latest.c.id == SelfAssessment.id)
        .join(Subcompetency, Subcompetency.id == MilestoneRating.subcompetency_id)
        .join(MilestoneDomain, MilestoneDomain.id == Subcompetency.domain_id)
        .join(people, user_id == SelfAssessment.user_id)
        .join(Region, Region.id == region_id)
    )
    ratings: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for region, domain, user, level in db.session.execute(stmt):
        ratings[(region, domain, user)].append(level)
    levels: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (region, domain, _), found in ratings.items():
        levels[(region, domain)].append(sum(found) // len(found))
    return levels


def _active_pairs(scope: ExportScope) -> dict[str, int]:
    """Active pairings per region of the mentee."""
    people = _people(scope)
    stmt = (
        sa.select(Region.code, sa.func.count(sa.distinct(Mentorship.id)))
        .select_from(Mentorship)
        .join(people, people.c.user_id == Mentorship.mentee_id)
        .join(Region, Region.id == people.c[1])
        .where(Mentorship.status == PairingStatus.ACTIVE)
        .group_by(Region.code)
    )
    return {region: count for region, count in db.session.execute(stmt)}


def educator_development(scope: ExportScope, secret: bytes) -> Iterator[tuple[Any, ...]]:
    regions = list(
        db.session.scalars(
            sa.select(Region.code)
            .join(Pilot, Pilot.region_id == Region.id)
            .where(Pilot.id.in_(scope.pilot_ids()))
            .distinct()
            .order_by(Region.code)
        )
    )
    domains = list(
        db.session.scalars(sa.select(MilestoneDomain.code).distinct().order_by(MilestoneDomain.code))
    )
    levels = _levels(scope)
    pairs = _active_pairs(scope)
    for region in regions:
        for domain in domains:
            found = levels.get((region, domain), [])
            cells = {level: Cell(found.count(level)) for level in EDUCATOR_LEVELS}
            total = Cell(len(found))
            protect(total, [list(cells.values())])
            yield (region, "educators_by_level", domain, ALL, total.published, total.hidden)
            for level, cell in cells.items():
                yield (
                    region,
                    "educators_by_level",
                    domain,
                    str(level),
                    cell.published,
                    cell.hidden,
                )
        mentoring = Cell(pairs.get(region, 0))
        protect(mentoring, [])
        yield (region, "active_mentoring_pairs", ALL, ALL, mentoring.published, mentoring.hidden)
