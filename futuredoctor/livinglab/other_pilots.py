"""What other pilots made of a module, for a lead educator on the module page: per
version, what changed ("we did"), how much of other pilots' feedback it answered, and how
other pilots' participants rated it.

Everything is read from stored summaries (one row per pilot and version, refreshed by the
scheduler), never from a scan of the feedback, and every count of 1 to the suppression
threshold is hidden together with the means behind it: a small pilot's few raters are not
singled out. Only one line of figures is published per version, so no total exists to
subtract a hidden cell from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from futuredoctor.evaluation.suppression import THRESHOLD, primary
from futuredoctor.extensions import db
from futuredoctor.livinglab.ratings import DIMENSIONS, RATINGS, rating_figures
from futuredoctor.livinglab.scope import TRIAGE
from futuredoctor.models import (
    CodesignSession,
    Cohort,
    Enrolment,
    FeedbackItem,
    Module,
    ModuleVersion,
    User,
)
from futuredoctor.permissions import has_permission, pilot_id_list
from futuredoctor.summaries import store

ADDRESSED = "addressed"


@store.refresher(ADDRESSED)
def addressed_figures(key: str) -> list[list[int]] | None:
    """For one module (``key``: its id): [pilot id, version number, feedback items that
    version answered], from participants (their cohort's pilot) and co-design sessions."""
    module = db.session.get(Module, int(key))
    if module is None:
        return None
    pilot = sa.func.coalesce(Cohort.pilot_id, CodesignSession.pilot_id)
    stmt = (
        sa.select(pilot, ModuleVersion.number, sa.func.count(FeedbackItem.id))
        .select_from(FeedbackItem)
        .join(ModuleVersion, ModuleVersion.id == FeedbackItem.addressed_by_version_id)
        .outerjoin(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .outerjoin(CodesignSession, CodesignSession.id == FeedbackItem.codesign_session_id)
        .where(ModuleVersion.module_id == module.id, pilot.is_not(None))
        .group_by(pilot, ModuleVersion.number)
    )
    return [[int(p), int(n), int(c)] for p, n, c in db.session.execute(stmt)]


@dataclass(frozen=True)
class Figure:
    """A count as published: ``shown`` is None when it is suppressed."""

    count: int

    @property
    def hidden(self) -> bool:
        return primary(self.count)

    @property
    def shown(self) -> int | None:
        return None if self.hidden else self.count


@dataclass(frozen=True)
class VersionTrend:
    version: ModuleVersion
    addressed: Figure
    responses: Figure
    means: dict[str, float | None]  # None when no answers or suppressed
    change: float | None = None  # overall mean against the previous version shown

    @property
    def overall(self) -> float | None:
        values = [v for v in self.means.values() if v is not None]
        return round(sum(values) / len(values), 2) if values else None


@dataclass(frozen=True)
class OtherPilots:
    trends: list[VersionTrend]  # newest version first
    as_of: Any
    threshold: int = THRESHOLD


def _own_pilots(user: User) -> set[int]:
    """The pilots whose feedback the person triages (from the grants when they name them)."""
    return set(pilot_id_list(user, TRIAGE) or ())


def other_pilots(user: User, module: Module) -> OtherPilots | None:
    """Other pilots' changes and ratings for ``module``, or None for people who do not
    triage feedback. Two summary reads, however much feedback (and the pilots in scope
    from the grants)."""
    if not has_permission(user, TRIAGE) or not module.versions:
        return None
    own = _own_pilots(user)
    ratings = store.read(RATINGS, str(module.id), lambda: rating_figures(str(module.id)))
    answered = store.read(ADDRESSED, str(module.id), lambda: addressed_figures(str(module.id)))
    totals: dict[int, list[int]] = {}
    for row in ratings.payload or []:
        if row[0] in own:
            continue
        total = totals.setdefault(int(row[2]), [0] * 7)
        for index, value in enumerate(row[3:10]):
            total[index] += int(value)
    addressed: dict[int, int] = {}
    for pilot_id, number, count in answered.payload or []:
        if pilot_id not in own:
            addressed[number] = addressed.get(number, 0) + count
    trends: list[VersionTrend] = []
    previous: float | None = None
    for version in module.versions:  # oldest first, to compare each with the one before
        count, *sums = totals.get(version.number, [0] * 7)
        responses = Figure(count)
        means = {
            name: (
                round(sums[2 * i] / sums[2 * i + 1], 2)
                if sums[2 * i + 1] and not responses.hidden
                else None
            )
            for i, (name, _) in enumerate(DIMENSIONS)
        }
        trend = VersionTrend(version, Figure(addressed.get(version.number, 0)), responses, means)
        overall = trend.overall
        if overall is not None:
            change = round(overall - previous, 2) if previous is not None else None
            trend = VersionTrend(trend.version, trend.addressed, responses, means, change)
            previous = overall
        trends.append(trend)
    return OtherPilots(list(reversed(trends)), min(ratings.as_of, answered.as_of))
