"""Did it work? Mean ratings by version and by region, as tables and server-drawn SVG.

Only participants' ratings count (co-design suggestions carry none), within the viewer's
scope. Means over fewer than ``SMALL`` responses are shown but marked, because one or two
people can swing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.livinglab.scope import TRIAGE
from futuredoctor.models import (
    Cohort,
    Enrolment,
    FeedbackItem,
    Module,
    ModuleVersion,
    Pilot,
    Region,
    User,
)
from futuredoctor.permissions import pilot_ids_in_scope, scope_pilots
from futuredoctor.summaries import store

SMALL = 5
DIMENSIONS = (
    ("relevance", "Relevance"),
    ("quality", "Quality"),
    ("applicability", "Applicability"),
)


@dataclass(frozen=True)
class RatingRow:
    label: str
    responses: int
    means: dict[str, float | None]
    version: int | None = None
    region: str | None = None

    @property
    def small(self) -> bool:
        return self.responses < SMALL

    @property
    def overall(self) -> float | None:
        values = [v for v in self.means.values() if v is not None]
        return round(sum(values) / len(values), 2) if values else None


def _base(user: User, module: Module) -> sa.Select[Any]:
    rated = sa.or_(
        FeedbackItem.relevance.is_not(None),
        FeedbackItem.quality.is_not(None),
        FeedbackItem.applicability.is_not(None),
    )
    stmt = (
        sa.select(
            sa.func.count(FeedbackItem.id),
            *(sa.func.avg(getattr(FeedbackItem, name)) for name, _ in DIMENSIONS),
        )
        .select_from(FeedbackItem)
        .join(ModuleVersion, ModuleVersion.id == FeedbackItem.module_version_id)
        .join(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(ModuleVersion.module_id == module.id, rated)
    )
    return scope_pilots(stmt, user, TRIAGE, Cohort.pilot_id)


def _means(values: Sequence[Any]) -> dict[str, float | None]:
    return {
        name: (round(float(v), 2) if v is not None else None)
        for (name, _), v in zip(DIMENSIONS, values, strict=True)
    }


def by_version(user: User, module: Module) -> list[RatingRow]:
    """One row per version that has ratings, oldest first; one grouped query."""
    stmt = (
        _base(user, module)
        .add_columns(ModuleVersion.number)
        .group_by(ModuleVersion.number)
        .order_by(ModuleVersion.number)
    )
    return [
        RatingRow(f"Version {row[-1]}", row[0], _means(row[1:4]), version=row[-1])
        for row in db.session.execute(stmt)
    ]


def by_region(user: User, module: Module) -> list[RatingRow]:
    """One row per region and version; one grouped query."""
    stmt = (
        _base(user, module)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(Region, Region.id == Pilot.region_id)
        .add_columns(Region.name, ModuleVersion.number)
        .group_by(Region.name, ModuleVersion.number)
        .order_by(Region.name, ModuleVersion.number)
    )
    return [
        RatingRow(
            f"{row[-2]}, version {row[-1]}",
            row[0],
            _means(row[1:4]),
            version=row[-1],
            region=row[-2],
        )
        for row in db.session.execute(stmt)
    ]


RATINGS = "ratings"


@store.refresher(RATINGS)
def rating_figures(key: str) -> list[list[Any]] | None:
    """For one module (``key``: its id), per pilot and version: the region's name, rated
    responses, and the sum and number of answers for each rating."""
    module = db.session.get(Module, int(key))
    if module is None:
        return None
    rated = sa.or_(*(getattr(FeedbackItem, name).is_not(None) for name, _ in DIMENSIONS))
    sums = []
    for name, _ in DIMENSIONS:
        column = getattr(FeedbackItem, name)
        sums += [sa.func.coalesce(sa.func.sum(column), 0), sa.func.count(column)]
    stmt = (
        sa.select(
            Cohort.pilot_id,
            Region.name,
            ModuleVersion.number,
            sa.func.count(FeedbackItem.id),
            *sums,
        )
        .select_from(FeedbackItem)
        .join(ModuleVersion, ModuleVersion.id == FeedbackItem.module_version_id)
        .join(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(Region, Region.id == Pilot.region_id)
        .where(ModuleVersion.module_id == module.id, rated)
        .group_by(Cohort.pilot_id, Region.name, ModuleVersion.number)
    )
    return [[int(v) if isinstance(v, int) else v for v in row] for row in db.session.execute(stmt)]


def _summed(rows: list[list[Any]], label: Any) -> list[RatingRow]:
    """Add up stored rows by ``label(row)`` (a (region, version) pair) into rating rows."""
    totals: dict[tuple[str | None, int], list[int]] = {}
    for row in rows:
        total = totals.setdefault(label(row), [0] * 7)
        for index, value in enumerate(row[3:10]):
            total[index] += int(value)
    result = []
    for (region, version), (count, *sums) in sorted(totals.items(), key=lambda t: t[0]):
        means = {
            name: (round(sums[2 * i] / sums[2 * i + 1], 2) if sums[2 * i + 1] else None)
            for i, (name, _) in enumerate(DIMENSIONS)
        }
        text = f"{region}, version {version}" if region else f"Version {version}"
        result.append(RatingRow(text, count, means, version=version, region=region))
    return result


def summary_ratings(user: User, module: Module) -> tuple[list[RatingRow], list[RatingRow], Any]:
    """``by_version`` and ``by_region`` read from the module's stored summary, and when
    it was counted."""
    snapshot = store.read(RATINGS, str(module.id), lambda: rating_figures(str(module.id)))
    scope = pilot_ids_in_scope(user, TRIAGE)
    allowed = None if scope is None else set(db.session.scalars(scope))
    rows = [r for r in snapshot.payload if allowed is None or r[0] in allowed]
    return (
        _summed(rows, lambda r: (None, r[2])),
        _summed(rows, lambda r: (r[1], r[2])),
        snapshot.as_of,
    )


def module_overview(user: User, module_ids: sa.Select[Any]) -> list[tuple[Module, int, int]]:
    """(module, latest version number, responses in scope) for the ratings index, counted
    now; the page reads ``summary_overview``, and the summary tests compare the two."""
    responses = (
        sa.select(ModuleVersion.module_id, sa.func.count(FeedbackItem.id).label("n"))
        .join(FeedbackItem, FeedbackItem.module_version_id == ModuleVersion.id)
        .join(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .group_by(ModuleVersion.module_id)
    )
    responses = scope_pilots(responses, user, TRIAGE, Cohort.pilot_id).subquery()
    latest = _latest()
    stmt = (
        sa.select(Module, latest.c.number, sa.func.coalesce(responses.c.n, 0))
        .join(latest, latest.c.module_id == Module.id)
        .outerjoin(responses, responses.c.module_id == Module.id)
        .where(Module.id.in_(module_ids))
        .order_by(Module.slug)
    )
    return [(m, n, r) for m, n, r in db.session.execute(stmt)]


def _latest() -> Any:
    return (
        sa.select(ModuleVersion.module_id, sa.func.max(ModuleVersion.number).label("number"))
        .group_by(ModuleVersion.module_id)
        .subquery("latest")
    )


OVERVIEW = "ratings_overview"


@store.refresher(OVERVIEW)
def overview_figures(key: str = "all") -> dict[str, dict[str, int]]:
    """Participants' feedback items per module and pilot across the country. Counting them
    on every visit of the ratings index grouped every feedback item in scope (600,000 at
    national size, over half a second)."""
    stmt = (
        sa.select(ModuleVersion.module_id, Cohort.pilot_id, sa.func.count(FeedbackItem.id))
        .select_from(FeedbackItem)
        .join(ModuleVersion, ModuleVersion.id == FeedbackItem.module_version_id)
        .join(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .group_by(ModuleVersion.module_id, Cohort.pilot_id)
    )
    figures: dict[str, dict[str, int]] = {}
    for module_id, pilot_id, count in db.session.execute(stmt):
        figures.setdefault(str(module_id), {})[str(pilot_id)] = int(count)
    return figures


def summary_overview(
    user: User, module_ids: sa.Select[Any]
) -> tuple[list[tuple[Module, int, int]], Any]:
    """``module_overview`` with the responses read from the stored summary, summed over
    the viewer's pilots, and when they were counted."""
    snapshot = store.read(OVERVIEW, "all", lambda: overview_figures("all"))
    scope = pilot_ids_in_scope(user, TRIAGE)
    allowed = None if scope is None else {str(p) for p in db.session.scalars(scope)}
    latest = _latest()
    stmt = (
        sa.select(Module, latest.c.number)
        .join(latest, latest.c.module_id == Module.id)
        .where(Module.id.in_(module_ids))
        .order_by(Module.slug)
    )
    rows = []
    for module, number in db.session.execute(stmt):
        by_pilot = snapshot.payload.get(str(module.id), {})
        total = sum(n for p, n in by_pilot.items() if allowed is None or p in allowed)
        rows.append((module, number, total))
    return rows, snapshot.as_of


def with_unrated_versions(rows: list[RatingRow], module: Module) -> list[RatingRow]:
    """Every published version, in order: one nobody has rated yet shows "no responses yet"
    instead of disappearing, so a new version is not mistaken for a missing one."""
    rated = {row.version: row for row in rows}
    return [
        rated.get(v.number)
        or RatingRow(f"Version {v.number}", 0, {n: None for n, _ in DIMENSIONS}, v.number)
        for v in module.versions
    ]


def latest_titles(module_ids: list[int]) -> dict[int, str]:
    """Each module's title from its latest version, in one query (modules have no title)."""
    latest = (
        sa.select(sa.func.max(ModuleVersion.id))
        .where(ModuleVersion.module_id.in_(module_ids))
        .group_by(ModuleVersion.module_id)
    )
    stmt = sa.select(ModuleVersion.module_id, ModuleVersion.title).where(
        ModuleVersion.id.in_(latest)
    )
    return {module_id: title for module_id, title in db.session.execute(stmt)}


# --- charts --------------------------------------------------------------------------


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    value: float


@dataclass
class Group:
    label: str
    x: float  # centre
    small: bool
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    description: str
    series: list[str]
    groups: list[Group]
    width: int
    height: int
    top: int = 20
    bottom: int = 250  # y of the zero line
    left: int = 48

    def y_for(self, value: float) -> float:
        return self.bottom - (self.bottom - self.top) * value / 5

    @property
    def ticks(self) -> list[tuple[int, float]]:
        return [(v, self.y_for(v)) for v in range(0, 6)]


def grouped_chart(
    title: str, rows: list[tuple[str, bool, list[float | None]]], series: list[str]
) -> Chart:
    """Bars of mean ratings (0–5), one group per row and one bar per series."""
    bar, gap = 26, 28
    group_width = bar * len(series) + gap
    width = max(360, 48 + group_width * len(rows) + 16)
    chart = Chart(title, "", series, [], width, 310)
    for index, (label, small, values) in enumerate(rows):
        start = chart.left + gap / 2 + index * group_width
        group = Group(label, start + bar * len(series) / 2, small)
        for position, value in enumerate(values):
            if value is None:
                continue
            top = chart.y_for(value)
            group.bars.append(
                Bar(start + position * bar, top, bar - 4, chart.bottom - top, position, value)
            )
        chart.groups.append(group)
    parts = []
    for label, small, values in rows:
        shown = ", ".join(
            f"{name} {v:.1f}" for name, v in zip(series, values, strict=True) if v is not None
        )
        parts.append(f"{label}{' (few responses)' if small else ''}: {shown}")
    chart.description = "Mean ratings out of 5. " + "; ".join(parts)
    return chart


def version_chart(rows: list[RatingRow]) -> Chart:
    return grouped_chart(
        "Mean ratings by version",
        [(r.label, r.small, [r.means[n] for n, _ in DIMENSIONS]) for r in rows],
        [label for _, label in DIMENSIONS],
    )


def region_chart(rows: list[RatingRow]) -> Chart:
    """Overall mean (of the three ratings) per region, one bar per version."""
    versions = sorted({r.version for r in rows if r.version is not None})
    regions: dict[str, dict[int, RatingRow]] = {}
    for row in rows:
        regions.setdefault(row.region or "", {})[row.version or 0] = row
    data = []
    for region, found in regions.items():
        small = any(r.small for r in found.values())
        overall = [found[v].overall if v in found else None for v in versions]
        data.append((region, small, overall))
    return grouped_chart(
        "Overall mean rating by region and version", data, [f"Version {v}" for v in versions]
    )
