"""The national dashboard: the seven regions side by side, each linking to its own region
dashboard. The page reads one stored summary; the grouped queries that count it run in
the scheduler's refresh job (or when the summary is missing or stale), because counting
every progress row in the country on each visit took over a second at national size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Pilot,
    Progress,
    Region,
    Release,
    ReleaseStatus,
)
from futuredoctor.summaries import store


@dataclass(frozen=True)
class RegionLine:
    region: Region
    pilots: int
    cohorts: int
    enrolled: int
    offered: int  # (enrolled participant, released module version) pairs
    completed: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.completed / self.offered) if self.offered else None


def _by_region(stmt: sa.Select[Any]) -> dict[int, int]:
    return {region_id: count for region_id, count in db.session.execute(stmt)}


def live_overview() -> list[RegionLine]:
    """One line per region, by name, counted now in five grouped queries."""
    pilots = _by_region(sa.select(Pilot.region_id, sa.func.count()).group_by(Pilot.region_id))
    cohorts = _by_region(
        sa.select(Pilot.region_id, sa.func.count(Cohort.id))
        .join(Cohort, Cohort.pilot_id == Pilot.id)
        .group_by(Pilot.region_id)
    )
    enrolled_in = (
        sa.select(Pilot.region_id, sa.func.count(Enrolment.id))
        .join(Cohort, Cohort.pilot_id == Pilot.id)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.status == EnrolmentStatus.ENROLLED)
    )
    enrolled = _by_region(enrolled_in.group_by(Pilot.region_id))
    offered = _by_region(
        enrolled_in.join(Release, Release.cohort_id == Cohort.id)
        .where(Release.is_released)
        .group_by(Pilot.region_id)
    )
    completed = _by_region(
        sa.select(Pilot.region_id, sa.func.count(Progress.id))
        .select_from(Progress)
        .join(Enrolment, Enrolment.id == Progress.enrolment_id)
        .join(Release, Release.id == Progress.release_id)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .where(
            Progress.completed_at.is_not(None),
            Enrolment.status == EnrolmentStatus.ENROLLED,
            Release.status == ReleaseStatus.SCHEDULED,
        )
        .group_by(Pilot.region_id)
    )
    regions = db.session.scalars(sa.select(Region).order_by(Region.name))
    return [
        RegionLine(
            r,
            pilots.get(r.id, 0),
            cohorts.get(r.id, 0),
            enrolled.get(r.id, 0),
            offered.get(r.id, 0),
            completed.get(r.id, 0),
        )
        for r in regions
    ]


NATIONAL = "national_overview"


@store.refresher(NATIONAL)
def national_figures(key: str = "all") -> dict[str, list[int]]:
    """Pilots, cohorts, enrolled, offered and completed by region id."""
    return {
        str(line.region.id): [
            line.pilots,
            line.cohorts,
            line.enrolled,
            line.offered,
            line.completed,
        ]
        for line in live_overview()
    }


def national_overview() -> tuple[list[RegionLine], Any]:
    """``live_overview`` read from the stored summary, and when it was counted."""
    snapshot = store.read(NATIONAL, "all", lambda: national_figures("all"))
    regions = db.session.scalars(sa.select(Region).order_by(Region.name))
    lines = [RegionLine(r, *snapshot.payload.get(str(r.id), [0] * 5)) for r in regions]
    return lines, snapshot.as_of
