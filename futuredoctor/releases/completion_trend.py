"""Completions per UK calendar month in a region, for the dashboard's chart and table.

One query whatever the size of the region: a conditional count per month. At national
size it reads every completion of the region's last year, so the dashboard takes it from
the region's stored summary (``dashboard.region_figures``) rather than counting per view.
Months are UK months (a completion at 00:30 on 1 April BST belongs to April).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, Pilot, Progress, Region, Release

MONTHS = 12
CHART_WIDTH = 640
CHART_HEIGHT = 200
AXIS_HEIGHT = 28  # room for month labels under the bars
TOP = 20  # room for the value above the tallest bar


@dataclass(frozen=True)
class MonthCount:
    start: date  # the first day of the UK month
    completed: int

    @property
    def label(self) -> str:
        return f"{self.start:%b %Y}"

    @property
    def short(self) -> str:
        return f"{self.start:%b}"


@dataclass(frozen=True)
class Bar:
    month: MonthCount
    x: float
    y: float
    width: float
    height: float


def month_starts(today: date, n: int) -> list[date]:
    """The first days of the last ``n`` months (this one included) and of next month."""
    first = today.year * 12 + today.month - 1 - (n - 1)
    return [date((first + k) // 12, (first + k) % 12 + 1, 1) for k in range(n + 1)]


def _utc(day: date) -> datetime:
    zone = clock.local_zone()
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def completions_by_month(region: Region, today: date, n: int = MONTHS) -> list[MonthCount]:
    """Modules completed in each of the last ``n`` UK months (this month included) by
    participants of the region's cohorts."""
    starts = month_starts(today, n)
    bounds = [_utc(d) for d in starts]
    columns = [
        sa.func.count(
            sa.case(
                (
                    sa.and_(
                        Progress.completed_at >= bounds[i], Progress.completed_at < bounds[i + 1]
                    ),
                    1,
                )
            )
        )
        for i in range(n)
    ]
    stmt = (
        sa.select(*columns)
        .select_from(Progress)
        .join(Enrolment, Enrolment.id == Progress.enrolment_id)
        .join(Release, Release.id == Progress.release_id)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .where(
            Pilot.region_id == region.id,
            Progress.completed_at >= bounds[0],
            Progress.completed_at < bounds[-1],
        )
    )
    counts = db.session.execute(stmt).one()
    return [MonthCount(starts[i], counts[i] or 0) for i in range(n)]


def chart_bars(months: list[MonthCount]) -> list[Bar]:
    """Bar geometry in the chart's own units; the tallest bar reaches the top."""
    tallest = max((m.completed for m in months), default=0) or 1
    slot = CHART_WIDTH / max(len(months), 1)
    space = CHART_HEIGHT - AXIS_HEIGHT - TOP
    bars = []
    for i, month in enumerate(months):
        height = space * month.completed / tallest
        bars.append(
            Bar(month, i * slot + slot * 0.15, TOP + space - height, slot * 0.7, height)
        )
    return bars
