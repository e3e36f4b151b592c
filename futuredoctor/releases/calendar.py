"""Read-only views of the schedule: the month calendar, the list, and what a cohort sees
on a given day. Each is a fixed number of queries however many releases there are."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, load_only

from futuredoctor import clock
from futuredoctor.date_input import DateInputError, date_from_text
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    ModuleVersion,
    Release,
    ReleaseStatus,
    User,
    utcnow,
)
from futuredoctor.models.module import VERSION_CARD
from futuredoctor.paging import Page, paginate
from futuredoctor.permissions import Permission, scope_pilots
from futuredoctor.timezones import local_day_bounds, to_local


def _in_scope(user: User) -> sa.Select[Any]:
    stmt = (
        sa.select(Release)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .options(
            # The calendar and the list show each version's title and number: not its body,
            # nor its GPC domains (loaded with every version unless told not to).
            joinedload(Release.module_version).options(
                load_only(ModuleVersion.title, ModuleVersion.number, ModuleVersion.module_id),
                lazyload(ModuleVersion.domains),
                joinedload(ModuleVersion.module),
            ),
            joinedload(Release.cohort).joinedload(Cohort.pilot),
        )
    )
    return scope_pilots(stmt, user, Permission.SCHEDULE_RELEASES, Cohort.pilot_id)


@dataclass(frozen=True)
class MonthView:
    first: date
    weeks: list[list[date | None]]
    by_day: dict[date, list[Release]]
    count: int

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)


def parse_month(raw: str | None) -> date | None:
    """'2027-03' -> 1 March 2027; None for anything else, including years the date input
    does not accept."""
    if not raw:
        return clock.today_uk().replace(day=1)
    try:
        return date_from_text(f"{raw}-01", iso_only=True)
    except DateInputError:
        return None


def month_view(user: User, first: date) -> MonthView:
    """Scheduled releases in a UK calendar month, grouped by UK local day."""
    last = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    start, _ = local_day_bounds(first)
    _, end = local_day_bounds(last)
    stmt = (
        _in_scope(user)
        .where(
            Release.release_at >= start,
            Release.release_at < end,
            Release.status == ReleaseStatus.SCHEDULED,
        )
        .order_by(Release.release_at, Release.id)
    )
    by_day: dict[date, list[Release]] = defaultdict(list)
    count = 0
    for release in db.session.scalars(stmt).unique():
        by_day[to_local(release.release_at).date()].append(release)
        count += 1
    weeks = [
        [day if day.month == first.month else None for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    return MonthView(first, weeks, dict(by_day), count)


def release_list(user: User, when: str, number: int) -> Page:
    """Upcoming releases soonest first, or past (and withdrawn) ones latest first."""
    now = utcnow()
    stmt = _in_scope(user)
    if when == "past":
        stmt = stmt.where(
            sa.or_(Release.release_at <= now, Release.status == ReleaseStatus.WITHDRAWN)
        ).order_by(Release.release_at.desc(), Release.id.desc())
    else:
        stmt = stmt.where(
            Release.release_at > now, Release.status == ReleaseStatus.SCHEDULED
        ).order_by(Release.release_at, Release.id)
    return paginate(stmt, number)


def cohort_view_at(cohort: Cohort, instant: datetime) -> tuple[list[Release], list[Release]]:
    """What the cohort's participants see at ``instant``: the newest released version of
    each module (the same rule as the participant's own page), and what comes later."""
    stmt = (
        sa.select(Release)
        .where(Release.cohort_id == cohort.id, Release.status == ReleaseStatus.SCHEDULED)
        .options(
            # What the preview's cards show: not the versions' bodies, and their GPC
            # domains from the kept content choices (``version_domains``).
            joinedload(Release.module_version)
            .load_only(*VERSION_CARD)
            .options(lazyload(ModuleVersion.domains), joinedload(ModuleVersion.module)),
        )
        .order_by(Release.release_at, Release.id)
    )
    newest: dict[int, Release] = {}
    later: list[Release] = []
    for release in db.session.scalars(stmt).unique():
        if release.release_at > instant:
            later.append(release)
            continue
        module_id = release.module_version.module_id
        current = newest.get(module_id)
        if current is None or release.module_version.number > current.module_version.number:
            newest[module_id] = release
    visible = sorted(newest.values(), key=lambda r: (r.release_at, r.module_version.title))
    return list(reversed(visible)), later
