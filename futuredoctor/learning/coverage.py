"""Completed modules and the GPC domains they cover: the completion record and the
coverage chart read the same numbers, so they always agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, load_only

from futuredoctor.content.choices import DomainChoice, content_choices
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    CompletionMethod,
    Enrolment,
    ModuleVersion,
    Progress,
    Release,
    User,
)
from futuredoctor.models.module import VERSION_CARD
from futuredoctor.query_plans import one_plan_for_any_values

# Chart geometry (SVG user units); the viewBox scales it to the page width.
CHART_WIDTH = 640
LABEL_WIDTH = 70
BAR_HEIGHT = 24
BAR_GAP = 12
VALUE_WIDTH = 190


@dataclass(frozen=True)
class Completion:
    """A completed module: the newest version completed, when and in which cohort."""

    version: ModuleVersion
    completed_at: datetime
    cohort: Cohort
    completed_how: str | None = None
    confirmed_by: str | None = None  # the name of who signed the attendance register
    domains: tuple[DomainChoice, ...] = ()  # the version's GPC domains

    @property
    def evidence(self) -> str:
        """How the completion is evidenced, in words, for the record."""
        if self.completed_how == CompletionMethod.ATTENDANCE:
            return f"Attendance confirmed by {self.confirmed_by or 'the lead educator'}"
        return "Self-declared"

    @property
    def minutes(self) -> int:
        return self.version.estimated_minutes


@dataclass(frozen=True)
class DomainCoverage:
    domain: DomainChoice
    modules: int
    minutes: int


@dataclass(frozen=True)
class Bar:
    coverage: DomainCoverage
    y: int
    width: int


# Built once with the person bound: the record and coverage pages read it on every visit.
_COMPLETED = (
    sa.select(Progress)
    .join(Enrolment, Enrolment.id == Progress.enrolment_id)
    .where(Enrolment.user_id == sa.bindparam("user_id"), Progress.completed_at.is_not(None))
    .options(
        load_only(
            Progress.release_id,
            Progress.completed_at,
            Progress.completed_how,
            Progress.confirmed_by_id,
        ),
        joinedload(Progress.release).options(
            joinedload(Release.module_version)
            .load_only(*VERSION_CARD, ModuleVersion.delivery_mode)
            .options(joinedload(ModuleVersion.module), lazyload(ModuleVersion.domains)),
            joinedload(Release.cohort).joinedload(Cohort.pilot),
        ),
        joinedload(Progress.confirmed_by),
    )
)


def completions(user: User) -> list[Completion]:
    """One row per completed module (the newest version completed), oldest first.

    Includes cohorts the person has since left: the learning was done. Reads what the
    record shows (not reflections or module bodies); the GPC domains come from the kept
    content choices. The statement finds the person's own rows by their id, so one plan
    serves everyone (planning it for each person cost PostgreSQL 1.1 ms, running it 0.2)."""
    kept = content_choices().version_domains
    newest: dict[int, Progress] = {}
    with one_plan_for_any_values():
        completed = db.session.scalars(_COMPLETED, {"user_id": user.id}).unique().all()
    for progress in completed:
        version = progress.release.module_version
        current = newest.get(version.module_id)
        if current is None or version.number > current.release.module_version.number:
            newest[version.module_id] = progress
    rows = [
        Completion(
            p.release.module_version,
            p.completed_at,
            p.release.cohort,
            p.completed_how,
            p.confirmed_by.full_name if p.confirmed_by else None,
            kept.get(p.release.module_version.id, ()),
        )
        for p in newest.values()
        if p.completed_at is not None
    ]
    return sorted(rows, key=lambda c: (c.completed_at, c.version.title))


def coverage(rows: list[Completion]) -> list[DomainCoverage]:
    """Modules and minutes per GPC domain, all nine domains in framework order."""
    result = []
    for code, title in content_choices().domains:
        covering = [c for c in rows if any(d.code == code for d in c.domains)]
        domain = DomainChoice(code, title)
        result.append(DomainCoverage(domain, len(covering), sum(c.minutes for c in covering)))
    return result


def chart_bars(rows: list[DomainCoverage]) -> tuple[list[Bar], int, int]:
    """Bar positions for the server-rendered chart, scaled to the domain with most modules.
    Returns the bars, the chart height and the width available to a full bar."""
    most = max((r.modules for r in rows), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(r, index * (BAR_HEIGHT + BAR_GAP), round(span * r.modules / most))
        for index, r in enumerate(rows)
    ]
    height = len(rows) * (BAR_HEIGHT + BAR_GAP)
    return bars, height, span
