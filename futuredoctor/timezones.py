"""UK local time for people, UTC for storage."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from futuredoctor import clock

local_zone = clock.local_zone


def to_local(value: datetime) -> datetime:
    return value.astimezone(local_zone())


def format_local(value: datetime | None, with_zone: bool = True) -> str:
    """'Tue 24 Nov 2026, 09:00 GMT': the zone abbreviation says whether BST applies."""
    if value is None:
        return ""
    local = to_local(value)
    text = f"{local:%a} {local.day} {local:%b %Y, %H:%M}"
    return f"{text} {local.tzname()}" if with_zone else text


def format_local_date(value: datetime | None) -> str:
    """'20 November 2026' in the app's zone."""
    if value is None:
        return ""
    return _local_date(value, local_zone())


@lru_cache(maxsize=4096)
def _local_date(value: datetime, zone: ZoneInfo) -> str:
    # A list of modules shows the same release dates page after page, person after person.
    local = value.astimezone(zone)
    return f"{local.day} {local:%B %Y}"


# --- release times: a local date and time in, a UTC instant out ---------------------------

_MINUTE = timedelta(minutes=1)


class LocalTimeError(ValueError):
    """A local time people cannot release at; ``message`` says why and what to pick."""

    def __init__(
        self, message: str, kind: str, suggestions: tuple[datetime, ...] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind  # "skipped" (clocks go forward), "repeated" (go back) or "past"
        self.suggestions = suggestions


def _round_trips(local: datetime) -> bool:
    """Whether this wall-clock reading exists: converting to UTC and back gives it again."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None, fold=0) == local.replace(tzinfo=None, fold=0)


def _is_ambiguous(local: datetime) -> bool:
    return local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset()


def _nearest_valid(local: datetime, step: timedelta) -> datetime:
    """Walk minute by minute from ``local`` to the first reading that exists once only."""
    candidate = local
    for _ in range(24 * 60):
        candidate = (candidate.replace(tzinfo=None) + step).replace(tzinfo=local.tzinfo, fold=0)
        if _round_trips(candidate) and not _is_ambiguous(candidate):
            return candidate
    raise AssertionError("no valid local time within a day")  # pragma: no cover


def _clock(value: datetime) -> str:
    return f"{value:%H:%M} {value.tzname()}"


def parse_release_time(day: date, at: time, now: datetime | None = None) -> datetime:
    """The UTC instant for ``at`` on ``day`` in UK local time.

    Refuses a time the clocks skip (spring forward), a time that happens twice (autumn
    back) and a time already past, each with a message saying why and what would work.
    Guessing would silently move a release by an hour: the bug other platforms ship.
    """
    zone = local_zone()
    local = datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=zone)
    when = f"{at:%H:%M} on {day:%A} {day.day} {day:%B %Y}"
    if not _round_trips(local):
        before, after = _nearest_valid(local, -_MINUTE), _nearest_valid(local, _MINUTE)
        raise LocalTimeError(
            f"{when} does not exist in UK time: the clocks go forward one hour that night, "
            f"from {_clock(before + _MINUTE)} straight to {_clock(after)}. "
            f"Choose {_clock(before)} or earlier, or {_clock(after)} or later.",
            "skipped",
            (before, after),
        )
    if _is_ambiguous(local):
        first = local.replace(fold=0)
        before, after = _nearest_valid(first, -_MINUTE), _nearest_valid(first, _MINUTE)
        raise LocalTimeError(
            f"{when} happens twice in UK time: the clocks go back one hour that night, so "
            f"{at:%H:%M} comes once in {first.tzname()} and again in "
            f"{local.replace(fold=1).tzname()}. "
            f"Choose {_clock(before)} or earlier, or {_clock(after)} or later.",
            "repeated",
            (before, after),
        )
    instant = local.astimezone(UTC)
    now = now or clock.now()
    if instant <= now:
        raise LocalTimeError(
            f"{when} ({local.tzname()}) is in the past. Choose a date and time after "
            f"{format_local(now)}.",
            "past",
        )
    return instant


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where a UK calendar day starts and ends (23 or 25 hours long on
    clock-change days)."""
    zone = local_zone()
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
