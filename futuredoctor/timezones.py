"""UK local time for people, UTC for storage."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE", "Europe/London"))


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
    if value is None:
        return ""
    local = to_local(value)
    return f"{local.day} {local:%B %Y}"
