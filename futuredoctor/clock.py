"""The app's one clock. Code asks here for "now" and "today in UK time" so that tests (and
``FUTUREDOCTOR_TEST_NOW``) can move every part of the app to the same instant at once.

Only Python's clock is asked, never the database's (``now()``/``CURRENT_TIMESTAMP``): the
tests can move the first but not PostgreSQL's, and the two would disagree."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

UK = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current instant, timezone-aware UTC, so it never mixes with naive local times."""
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """The zone people schedule and read in: the app's ``TIMEZONE`` setting, else the UK's
    (outside an app, e.g. a benchmark script)."""
    if has_app_context():
        return ZoneInfo(current_app.config.get("TIMEZONE", "Europe/London"))
    return UK


def today_uk() -> date:
    """Today's date on a UK wall calendar (after 23:00 UTC in summer it is already tomorrow)."""
    return now().astimezone(local_zone()).date()
