"""Each subcompetency's level across an educator's snapshots, as chart geometry and as the
table beside it; both read the same rows, so they always agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from futuredoctor.models import SelfAssessment, Subcompetency

MAX_COLUMNS = 8  # the most recent snapshots shown; older ones stay in the printable summary
CHART_WIDTH = 640
LABEL_WIDTH = 64
ROW_HEIGHT = 34
ROW_GAP = 10
HEADER_HEIGHT = 24


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    level: int


@dataclass(frozen=True)
class ProgressRow:
    subcompetency: Subcompetency
    levels: list[int | None]  # one per column, None where it was not rated
    top: int = 0
    points: tuple[Point, ...] = ()

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class ProgressChart:
    columns: list[datetime]
    column_x: list[int]
    rows: list[ProgressRow]
    height: int
    omitted: int  # older snapshots not shown


def progress_chart(history: list[SelfAssessment], subs: list[Subcompetency]) -> ProgressChart:
    """Rows in framework order (matched by code, so older versions' ratings line up)."""
    shown = history[-MAX_COLUMNS:]
    span = CHART_WIDTH - LABEL_WIDTH - 40
    step = span // max(len(shown) - 1, 1)
    column_x = [LABEL_WIDTH + 20 + i * step for i in range(len(shown))]
    rows = []
    for index, sub in enumerate(subs):
        levels: list[int | None] = []
        for assessment in shown:
            match = [r.level for r in assessment.ratings if r.subcompetency.code == sub.code]
            levels.append(match[0] if match else None)
        top = HEADER_HEIGHT + index * (ROW_HEIGHT + ROW_GAP)
        points = tuple(
            Point(x, top + ROW_HEIGHT - 4 - (level - 1) * (ROW_HEIGHT - 8) // 4, level)
            for x, level in zip(column_x, levels, strict=True)
            if level is not None
        )
        rows.append(ProgressRow(sub, levels, top, points))
    height = HEADER_HEIGHT + len(subs) * (ROW_HEIGHT + ROW_GAP)
    return ProgressChart(
        [a.assessed_at for a in shown], column_x, rows, height, len(history) - len(shown)
    )
