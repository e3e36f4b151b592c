"""The app's one clock. Code asks here for "now" and "today in UK time" so that tests (and
``FUTUREDOCTOR_TEST_NOW``) can move every part of the app to the same instant at once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current instant, timezone-aware UTC, so it never mixes with naive local times."""
    return datetime.now(UTC)


def today_uk() -> date:
    """Today's date on a UK wall calendar (after 23:00 UTC in summer it is already tomorrow)."""
    return now().astimezone(UK).date()
