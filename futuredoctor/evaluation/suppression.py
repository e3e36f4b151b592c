"""Disclosure control for aggregate counts: primary and secondary suppression.

Primary: a count of 1 to ``THRESHOLD`` is hidden (0 is shown: an empty cell discloses
nothing about a person). Secondary: every published line of cells adds up to a published
total, so wherever a line hides anything, more cells are hidden (smallest first) until the
hidden cells number at least two and add up to more than ``THRESHOLD``. "Total minus the
visible cells" then only ever gives a sum larger than the threshold spread over two or
more cells, never a small count. A total of 1 to ``THRESHOLD`` is itself hidden, which
hides every non-zero cell under it. The rule depends only on the counts, so the same data
always gives the same cells, in every package and for every overlapping request.
"""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 7


@dataclass
class Cell:
    count: int
    hidden: bool = False

    @property
    def published(self) -> int | None:
        return None if self.hidden else self.count


def primary(count: int) -> bool:
    if count < 0:
        raise ValueError("counts are never negative")
    return 1 <= count <= THRESHOLD


def protect(total: Cell, lines: list[list[Cell]]) -> None:
    """Suppress in place: ``lines`` are breakdowns whose cells each add up to ``total``."""
    total.hidden = primary(total.count)
    for line in lines:
        for cell in line:
            cell.hidden = primary(cell.count) or (total.hidden and cell.count > 0)
        if total.hidden:
            continue  # nothing in the line can be subtracted from a hidden total
        while True:
            hidden = [c for c in line if c.hidden]
            if not hidden or (len(hidden) >= 2 and sum(c.count for c in hidden) > THRESHOLD):
                break
            candidates = [c for c in line if not c.hidden and c.count > 0]
            if not candidates:
                break  # cannot happen while the total is visible; kept for safety
            min(candidates, key=lambda c: c.count).hidden = True
