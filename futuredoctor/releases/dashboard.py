"""The region dashboard: enrolment, completion by module, upcoming releases and GPC
coverage. Every figure comes from a grouped query, so the number of queries stays the
same for ten participants or ten thousand, and for three modules or thirty."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.learning.services import gpc_domains
from futuredoctor.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    FrameworkDomain,
    Module,
    ModuleVersion,
    Pilot,
    Progress,
    Region,
    Release,
    module_version_domain,
)
from futuredoctor.pilots.services import (
    PilotSummary,
    UpcomingRelease,
    region_pilots,
    upcoming_releases,
)
from futuredoctor.releases.completion_trend import (
    MONTHS,
    MonthCount,
    completions_by_month,
    month_starts,
)
from futuredoctor.summaries import store


@dataclass(frozen=True)
class ModuleCompletion:
    title: str
    slug: str
    offered: int  # enrolled participants whose cohort has the module released
    started: int
    completed: int

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.offered) if self.offered else 0


@dataclass
class CoverageCell:
    modules: int = 0  # released modules mapped to the domain
    offered: int = 0  # (participant, release) pairs for those modules
    completed: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.completed / self.offered) if self.offered else None


@dataclass
class CoverageRow:
    pilot: Pilot
    cells: dict[str, CoverageCell] = field(default_factory=dict)
    cohort: Cohort | None = None  # set on the by-cohort view

    @property
    def name(self) -> str:
        return self.cohort.name if self.cohort is not None else self.pilot.name


@dataclass(frozen=True)
class Dashboard:
    region: Region
    summaries: list[PilotSummary]
    completion: list[ModuleCompletion]
    upcoming: list[UpcomingRelease]
    domains: list[FrameworkDomain]
    coverage: list[CoverageRow]
    as_of: datetime | None = None  # when the completion figures were counted
    cohort_coverage: list[CoverageRow] = field(default_factory=list)
    months: list[MonthCount] = field(default_factory=list)  # completions per UK month

    @property
    def enrolled(self) -> int:
        return sum(s.enrolled for s in self.summaries)

    @property
    def cohort_count(self) -> int:
        return sum(len(s.pilot.cohorts) for s in self.summaries)


def _released_offers(region: Region) -> sa.Select:
    """(release, enrolment) pairs in the region: each enrolled participant offered each
    released version in their cohort."""
    return (
        sa.select(Release.id.label("release_id"), Enrolment.id.label("enrolment_id"))
        .join(Cohort, Cohort.id == Release.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(
            Enrolment,
            sa.and_(
                Enrolment.cohort_id == Release.cohort_id,
                Enrolment.status == EnrolmentStatus.ENROLLED,
            ),
        )
        .where(Pilot.region_id == region.id, Release.is_released)
    )


def completion_by_module(region: Region) -> list[ModuleCompletion]:
    """Per module (any released version): participants offered it, started, completed."""
    stmt = (
        sa.select(
            ModuleVersion.title,
            Module.slug,
            sa.func.count(sa.distinct(Enrolment.id)),
            sa.func.count(sa.distinct(sa.case((Progress.started_at.isnot(None), Enrolment.id)))),
            sa.func.count(sa.distinct(sa.case((Progress.completed_at.isnot(None), Enrolment.id)))),
        )
        .select_from(Release)
        .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
        .join(Module, Module.id == ModuleVersion.module_id)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(
            Enrolment,
            sa.and_(
                Enrolment.cohort_id == Release.cohort_id,
                Enrolment.status == EnrolmentStatus.ENROLLED,
            ),
        )
        .outerjoin(
            Progress,
            sa.and_(Progress.release_id == Release.id, Progress.enrolment_id == Enrolment.id),
        )
        .where(Pilot.region_id == region.id, Release.is_released)
        .group_by(Module.id, Module.slug, ModuleVersion.title)
    )
    merged: dict[str, list] = {}
    for title, slug, offered, started, completed in db.session.execute(stmt):
        # Versions may differ in title; the newest title found wins, counts add up.
        entry = merged.setdefault(slug, [title, 0, 0, 0])
        entry[1] += offered
        entry[2] += started
        entry[3] += completed
    return sorted(
        (ModuleCompletion(t, slug, o, s, c) for slug, (t, o, s, c) in merged.items()),
        key=lambda m: m.title,
    )


def gpc_coverage(region: Region, pilots: list[Pilot], domains: list[FrameworkDomain]):
    """Pilots x GPC domains: released modules mapped to each domain, and completion of
    those modules by the pilot's enrolled participants."""
    rows = {p.id: CoverageRow(p, {d.code: CoverageCell() for d in domains}) for p in pilots}
    _fill_coverage(region, rows, Cohort.pilot_id)
    return [rows[p.id] for p in pilots]


def cohort_coverage(region: Region, cohorts: list[Cohort], domains: list[FrameworkDomain]):
    """The same figures per cohort, for the heat map by cohort."""
    rows = {
        c.id: CoverageRow(c.pilot, {d.code: CoverageCell() for d in domains}, c) for c in cohorts
    }
    _fill_coverage(region, rows, Cohort.id)
    return [rows[c.id] for c in cohorts]


def _fill_coverage(region: Region, rows: dict[int, CoverageRow], key: Any) -> None:
    """Fill ``rows`` (keyed by pilot or cohort id, as ``key`` groups) in two queries."""
    modules = (
        sa.select(
            key,
            FrameworkDomain.code,
            sa.func.count(sa.distinct(ModuleVersion.module_id)),
        )
        .select_from(Release)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
        .join(
            module_version_domain,
            module_version_domain.c.module_version_id == Release.module_version_id,
        )
        .join(FrameworkDomain, FrameworkDomain.id == module_version_domain.c.domain_id)
        .where(Pilot.region_id == region.id, Release.is_released)
        .group_by(key, FrameworkDomain.code)
    )
    for pilot_id, code, count in db.session.execute(modules):
        if pilot_id in rows and code in rows[pilot_id].cells:
            rows[pilot_id].cells[code].modules = count
    offers = _released_offers(region).subquery()
    completion = (
        sa.select(
            key,
            FrameworkDomain.code,
            sa.func.count(),
            sa.func.count(Progress.completed_at),
        )
        .select_from(offers)
        .join(Release, Release.id == offers.c.release_id)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .join(
            module_version_domain,
            module_version_domain.c.module_version_id == Release.module_version_id,
        )
        .join(FrameworkDomain, FrameworkDomain.id == module_version_domain.c.domain_id)
        .outerjoin(
            Progress,
            sa.and_(
                Progress.release_id == offers.c.release_id,
                Progress.enrolment_id == offers.c.enrolment_id,
            ),
        )
        .group_by(key, FrameworkDomain.code)
    )
    for pilot_id, code, offered, completed in db.session.execute(completion):
        if pilot_id in rows and code in rows[pilot_id].cells:
            rows[pilot_id].cells[code].offered = offered
            rows[pilot_id].cells[code].completed = completed


SUMMARY = "region_dashboard"


def region_figures(region: Region) -> dict[str, Any]:
    """The dashboard's completion, coverage and completions-per-month figures, counted
    now (the slow part: it reads every enrolment and progress row of the region)."""
    pilots = list(db.session.scalars(sa.select(Pilot).where(Pilot.region_id == region.id)))
    domains = gpc_domains()
    coverage = gpc_coverage(region, pilots, domains)
    cohorts = [c for p in pilots for c in p.cohorts]
    by_cohort = cohort_coverage(region, cohorts, domains)
    return {
        "cohort_coverage": {
            str(row.cohort.id): {
                code: [cell.modules, cell.offered, cell.completed]
                for code, cell in row.cells.items()
            }
            for row in by_cohort
            if row.cohort is not None
        },
        "completion": [
            [m.title, m.slug, m.offered, m.started, m.completed]
            for m in completion_by_module(region)
        ],
        "coverage": {
            str(row.pilot.id): {
                code: [cell.modules, cell.offered, cell.completed]
                for code, cell in row.cells.items()
            }
            for row in coverage
        },
        "months": [
            [month.start.isoformat(), month.completed]
            for month in completions_by_month(region, clock.today_uk())
        ],
    }


@store.refresher(SUMMARY)
def _refresh(code: str) -> dict[str, Any] | None:
    region = db.session.scalar(sa.select(Region).where(Region.code == code))
    return region_figures(region) if region is not None else None


def _months_current(figures: dict[str, Any]) -> bool:
    """Whether the stored completions per month are for the months wanted today."""
    wanted = [day.isoformat() for day in month_starts(clock.today_uk(), MONTHS)[:-1]]
    return [start for start, _ in figures.get("months", [])] == wanted


def region_dashboard(region: Region) -> Dashboard:
    """The dashboard, its completion and coverage read from the region's summary."""
    summaries = region_pilots(region)
    pilots = [s.pilot for s in summaries]
    domains = gpc_domains()
    snapshot = store.read(SUMMARY, region.code, lambda: region_figures(region))
    if "cohort_coverage" not in snapshot.payload or not _months_current(snapshot.payload):
        # Counted before cohorts or months were kept, or before this month began: count
        # again now and keep it for the next view.
        snapshot = store.store(SUMMARY, region.code, region_figures(region))
    figures = snapshot.payload
    coverage = []
    for pilot in pilots:
        stored = figures["coverage"].get(str(pilot.id), {})
        cells = {d.code: CoverageCell(*stored.get(d.code, (0, 0, 0))) for d in domains}
        coverage.append(CoverageRow(pilot, cells))
    by_cohort = []
    for pilot in pilots:
        for cohort in pilot.cohorts:
            stored = figures["cohort_coverage"].get(str(cohort.id), {})
            cells = {d.code: CoverageCell(*stored.get(d.code, (0, 0, 0))) for d in domains}
            by_cohort.append(CoverageRow(pilot, cells, cohort))
    return Dashboard(
        region=region,
        summaries=summaries,
        completion=[ModuleCompletion(*row) for row in figures["completion"]],
        upcoming=upcoming_releases([c.id for p in pilots for c in p.cohorts]),
        domains=domains,
        coverage=coverage,
        as_of=snapshot.as_of,
        cohort_coverage=by_cohort,
        months=[MonthCount(date.fromisoformat(start), n) for start, n in figures["months"]],
    )


# Heat map shades for completion within a domain (fill, text), light to dark NHS blue;
# each text colour meets WCAG AA contrast on its fill.
HEAT_SHADES = [
    (25, "#d6e8f7", "#212b32"),
    (50, "#9cc5ea", "#212b32"),
    (75, "#4c9ad6", "#212b32"),
    (101, "#005eb8", "#ffffff"),
]
NOT_COVERED = ("#f0f4f5", "#4c6272")


def heat_shade(cell: CoverageCell) -> tuple[str, str]:
    if not cell.modules:
        return NOT_COVERED
    percent = cell.percent or 0
    return next((fill, text) for limit, fill, text in HEAT_SHADES if percent < limit)
