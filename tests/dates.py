"""UK calendar days relative to the app clock, for tests that must pass at any instant
(``FUTUREDOCTOR_TEST_NOW``): tomorrow, the next clock changes, a day in summer time, and the
zone abbreviation (GMT or BST) a local time is shown with."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from futuredoctor import clock


def today() -> date:
    return clock.today_uk()


def tomorrow() -> date:
    return clock.today_uk() + timedelta(days=1)


def _last_sunday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def next_clock_change(forward: bool) -> date:
    """The next day (after today) the UK clocks go forward (last Sunday in March) or back
    (last Sunday in October)."""
    month = 3 if forward else 10
    year = today().year
    while _last_sunday(year, month) <= today():
        year += 1
    return _last_sunday(year, month)


def next_summer_day() -> date:
    """A day in British Summer Time after today: the next 1 June."""
    day = date(today().year, 6, 1)
    return day if day > today() else date(today().year + 1, 6, 1)


def zone_name(day: date, at: str = "09:00") -> str:
    """ "GMT" or "BST": how the app labels ``at`` on ``day`` in UK time."""
    return datetime.combine(day, time.fromisoformat(at), tzinfo=clock.UK).tzname() or ""


def next_midweek_noon() -> datetime:
    """The coming Wednesday at 12:00 UK time (a week on, if today is Wednesday), as a UTC
    instant: a moment when anything weekly (the digest, due from Monday 08:00) is due."""
    day = today() + timedelta(days=(2 - today().weekday()) % 7 or 7)
    return datetime.combine(day, time(12), tzinfo=clock.UK).astimezone(UTC)
