"""Dates and times people type, parsed in one place with messages they can act on.

Every date form (release day/month/year, the release preview, co-design session dates,
evaluation date ranges, the API's query dates) reads its date here, so the same input gets
the same answer everywhere. Digits may be typed in any script (full-width, Arabic-Indic):
they are read as the ASCII digits they mean. Years outside ``EARLIEST_YEAR``–``LATEST_YEAR``
are refused with the range named: the pilots began in the 2020s and nothing they schedule
or measure lies outside this century, while years such as 0001 or 9999 break time zone
arithmetic (local mean time, overflow) further on.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, time

from futuredoctor.typed_text import ascii_digits

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
YEAR_RANGE = f"between {EARLIEST_YEAR} and {LATEST_YEAR}"

_UK_DATE = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", re.ASCII)
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_NUMBER = re.compile(r"[0-9]{1,4}", re.ASCII)
_TIME = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})", re.ASCII)
ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class DateInputError(ValueError):
    """A typed date or time that cannot be read; ``message`` is for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _checked(year: int, month: int, day: int, what: str, example: str) -> date:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise DateInputError(f"{what} must be in a year {YEAR_RANGE}")
    if not 1 <= month <= 12:
        raise DateInputError(f"{what} must have a month from 1 to 12")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        month_name = calendar.month_name[month]
        raise DateInputError(
            f"{what} must be a real date: {month_name} {year} has {last} days"
            if day > 0
            else f"{what} must be a real date, for example {example}"
        )
    return date(year, month, day)


def date_from_parts(
    day: str | None,
    month: str | None,
    year: str | None,
    *,
    what: str = "The date",
    example: str = "24 11 2026",
) -> date:
    """A date typed as separate day, month and year boxes; DateInputError names what is
    missing or wrong. All three blank is "missing": the caller decides if that is allowed."""
    parts = [ascii_digits((p or "").strip()) for p in (day, month, year)]
    if not any(parts):
        raise DateInputError(f"Enter {what[0].lower()}{what[1:]}")
    names = ("a day", "a month", "a year")
    missing = [name for part, name in zip(parts, names, strict=True) if not part]
    if missing:
        raise DateInputError(f"{what} must include {' and '.join(missing)}")
    if not all(_NUMBER.fullmatch(p) for p in parts) or len(parts[2]) != 4:
        raise DateInputError(f"{what} must be a real date, as numbers, for example {example}")
    return _checked(int(parts[2]), int(parts[1]), int(parts[0]), what, example)


def date_from_text(
    text: str | None,
    *,
    what: str = "The date",
    iso_only: bool = False,
    example: str = "23/11/2026",
) -> date | None:
    """A date typed in one box: ISO 8601 (2026-11-23) or, unless ``iso_only``, the UK
    order (23/11/2026, 23-11-2026, 23.11.2026). None when blank."""
    raw = ascii_digits((text or "").strip())
    if not raw:
        return None
    iso = _ISO_DATE.fullmatch(raw)
    uk = None if iso_only else _UK_DATE.fullmatch(raw)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif uk:
        day, month, year = (int(part) for part in uk.groups())
    else:
        shape = "YYYY-MM-DD" if iso_only else f"for example {example}"
        raise DateInputError(f"{what} must be a real date, {shape}")
    return _checked(year, month, day, what, example)


def time_from_text(text: str | None, *, what: str = "The time") -> time:
    """A 24-hour clock time (09:00, 9.00, 14:30)."""
    raw = ascii_digits((text or "").strip())
    match = _TIME.fullmatch(raw)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise DateInputError(f"{what} must be in the 24-hour clock, for example 09:00 or 14:30")
