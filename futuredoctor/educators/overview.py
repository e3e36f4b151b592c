"""Aggregates for regions and pilots: where educators rate themselves, and how much
mentoring goes on. Only counts leave this module, and small ones are shown as a range so
no educator can be picked out of a small group."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Mentorship,
    MilestoneDomain,
    MilestoneRating,
    PairingStatus,
    Pilot,
    RoleGrant,
    SelfAssessment,
    Subcompetency,
)
from futuredoctor.summaries import store

SMALL = 7


def shown_count(count: int) -> str:
    """0 stays 0; 1 to 7 becomes a range; larger counts are shown as they are."""
    if count == 0:
        return "0"
    if count <= SMALL:
        return f"1 to {SMALL}"
    return str(count)


def people_in_regions(region_ids: Iterable[int] | None) -> sa.Select[Any]:
    """User ids of everyone working (grant) or learning (enrolment) in the regions;
    ``None`` means every region."""
    grants = sa.select(RoleGrant.user_id).outerjoin(Pilot, Pilot.id == RoleGrant.pilot_id)
    enrolled = (
        sa.select(Enrolment.user_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .where(Enrolment.status != EnrolmentStatus.WITHDRAWN)
    )
    if region_ids is not None:
        ids = list(region_ids)
        grants = grants.where(sa.or_(RoleGrant.region_id.in_(ids), Pilot.region_id.in_(ids)))
        enrolled = enrolled.where(Pilot.region_id.in_(ids))
    return sa.union(grants, enrolled)  # type: ignore[return-value]


@dataclass(frozen=True)
class DomainLevels:
    code: str
    title: str
    by_level: dict[int, int]  # level -> ratings at that level in latest snapshots
    educators: int

    def shown(self, level: int) -> str:
        return shown_count(self.by_level.get(level, 0))

    @property
    def shown_educators(self) -> str:
        return shown_count(self.educators)


def domain_levels(region_ids: Iterable[int] | None) -> list[DomainLevels]:
    """Ratings per domain and level from each educator's latest self-assessment, in one
    grouped query; domains are matched by code across framework versions."""
    people = people_in_regions(region_ids).subquery()
    latest = (
        sa.select(sa.func.max(SelfAssessment.id).label("id"))
        .where(SelfAssessment.user_id.in_(sa.select(people.c.user_id)))
        .group_by(SelfAssessment.user_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            MilestoneDomain.code,
            sa.func.min(MilestoneDomain.title),
            sa.func.min(MilestoneDomain.position),
            MilestoneRating.level,
            sa.func.count(),
            sa.func.count(sa.distinct(SelfAssessment.user_id)),
        )
        .select_from(MilestoneRating)
        .join(SelfAssessment, SelfAssessment.id == MilestoneRating.assessment_id)
        .join(latest, latest.c.id == SelfAssessment.id)
        .join(Subcompetency, Subcompetency.id == MilestoneRating.subcompetency_id)
        .join(MilestoneDomain, MilestoneDomain.id == Subcompetency.domain_id)
        .group_by(MilestoneDomain.code, MilestoneRating.level)
    ).all()
    found: dict[str, dict[str, Any]] = {}
    for code, title, position, level, count, _ in rows:
        entry = found.setdefault(code, {"title": title, "position": position, "levels": {}})
        entry["levels"][level] = count
    educators: dict[str, int] = dict(
        db.session.execute(  # type: ignore[arg-type]
            sa.select(MilestoneDomain.code, sa.func.count(sa.distinct(SelfAssessment.user_id)))
            .select_from(MilestoneRating)
            .join(SelfAssessment, SelfAssessment.id == MilestoneRating.assessment_id)
            .join(latest, latest.c.id == SelfAssessment.id)
            .join(Subcompetency, Subcompetency.id == MilestoneRating.subcompetency_id)
            .join(MilestoneDomain, MilestoneDomain.id == Subcompetency.domain_id)
            .group_by(MilestoneDomain.code)
        ).all()
    )
    ordered = sorted(found.items(), key=lambda item: item[1]["position"])
    return [
        DomainLevels(code, entry["title"], entry["levels"], educators.get(code, 0))
        for code, entry in ordered
    ]


def active_pairs(region_ids: Iterable[int] | None) -> int:
    """Active pairings whose mentee works or learns in the regions."""
    people = people_in_regions(region_ids).subquery()
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Mentorship.status == PairingStatus.ACTIVE,
                Mentorship.mentee_id.in_(sa.select(people.c.user_id)),
            )
        )
        or 0
    )


OVERVIEW_FIGURES = "educator_overview"


def _regions_key(region_ids: Iterable[int]) -> str:
    return ",".join(str(i) for i in sorted(set(region_ids)))


@store.refresher(OVERVIEW_FIGURES)
def overview_figures(key: str) -> dict[str, Any]:
    """Ratings by domain and level and active pairs for the key's regions: counts over
    every educator's latest self-assessment and every pairing there, so they are stored
    and counted again by the scheduler rather than on each visit."""
    ids = [int(part) for part in key.split(",") if part]
    return {
        "domains": [
            {"code": d.code, "title": d.title, "by_level": d.by_level, "educators": d.educators}
            for d in domain_levels(ids)
        ],
        "pairs": active_pairs(ids),
    }


def stored_overview(region_ids: Iterable[int]) -> tuple[list[DomainLevels], int, datetime]:
    """``domain_levels`` and ``active_pairs`` for the regions as last stored, with when."""
    key = _regions_key(region_ids)
    snapshot = store.read(OVERVIEW_FIGURES, key, lambda: overview_figures(key))
    domains = [
        DomainLevels(
            d["code"],
            d["title"],
            {int(level): count for level, count in d["by_level"].items()},  # JSON keys
            d["educators"],
        )
        for d in snapshot.payload["domains"]
    ]
    return domains, snapshot.payload["pairs"], snapshot.as_of


def pilot_mentoring(pilot_ids: list[int]) -> dict[str, int]:
    """Counts for a lead educator's pilots: pairings whose mentee is enrolled there or
    whose mentor is on the pilot's staff. Never who, never what they wrote."""
    enrolled = (
        sa.select(Enrolment.user_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Cohort.pilot_id.in_(pilot_ids), Enrolment.status != EnrolmentStatus.WITHDRAWN)
    )
    staff = sa.select(RoleGrant.user_id).where(RoleGrant.pilot_id.in_(pilot_ids))
    stmt = (
        sa.select(Mentorship.status, sa.func.count())
        .where(sa.or_(Mentorship.mentee_id.in_(enrolled), Mentorship.mentor_id.in_(staff)))
        .group_by(Mentorship.status)
    )
    counts = {PairingStatus(status).value: n for status, n in db.session.execute(stmt)}
    return {
        "active": counts.get("active", 0),
        "requested": counts.get("requested", 0),
        "ended": counts.get("ended", 0),
    }
