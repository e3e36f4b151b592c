"""Small-number suppression for aggregate counts, so no one is identifiable in a small group.

Zero is shown as 0 (an empty cell discloses nothing about a person); 1 to 7 become "*";
larger counts are rounded to the nearest 5 (halves round up), which also stops anyone
recovering a suppressed cell by subtracting published totals.
"""

from __future__ import annotations

SUPPRESSED = "*"
THRESHOLD = 7
BASE = 5


def suppress(count: int) -> str:
    if count < 0:
        raise ValueError("counts are never negative")
    if count == 0:
        return "0"
    if count <= THRESHOLD:
        return SUPPRESSED
    return str(BASE * ((count + BASE // 2) // BASE))
