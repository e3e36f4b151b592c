"""A participant's learning journey: the modules released to them, the version they take,
their progress and what is new. A fixed number of queries, whatever the number of modules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from futuredoctor.extensions import db
from futuredoctor.learning.upcoming import ACTIVE, NextRelease
from futuredoctor.models import (
    AuditEvent,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Module,
    ModuleVersion,
    Pilot,
    Progress,
    Release,
    ReleaseStatus,
    User,
    utcnow,
)
from futuredoctor.models.module import VERSION_CARD

T = TypeVar("T")
NEW_FOR_DAYS = 14
NOT_STARTED, IN_PROGRESS, COMPLETED = "Not started", "In progress", "Completed"


def status_of(started_at: datetime | None, completed_at: datetime | None) -> str:
    if started_at is None:
        return NOT_STARTED
    return COMPLETED if completed_at else IN_PROGRESS


def choose(candidates: list[T], key: Callable[[T], tuple[int, bool, datetime]]) -> tuple[T, T]:
    """(taken, newest) among one module's released candidates. ``key`` gives (version
    number, has progress, released at): the newest version is the one they are offered,
    but the one they have progress on stays theirs."""
    ordered = sorted(candidates, key=key, reverse=True)
    newest = ordered[0]
    taken = next((c for c in ordered if key(c)[1]), newest)
    return taken, newest


@dataclass(frozen=True)
class JourneyEntry:
    """One module as one participant takes it.

    ``release`` is the version they take: the newest released one, unless they already
    have progress on an older released version, which stays theirs (progress belongs to
    the version actually taken). ``newest`` is the newest version released to them.
    """

    release: Release
    newest: Release
    enrolment: Enrolment
    progress: Progress | None
    is_new: bool
    # Version id -> when it is first scheduled to reach the entry's cohort (out or not).
    reaches: dict[int, datetime] = field(default_factory=dict)

    @property
    def version(self) -> ModuleVersion:
        return self.release.module_version

    @property
    def module(self) -> Module:
        return self.release.module_version.module

    @property
    def status(self) -> str:
        if self.progress is None:
            return NOT_STARTED
        return status_of(self.progress.started_at, self.progress.completed_at)

    @property
    def newer_version(self) -> ModuleVersion | None:
        """A newer released version than the one taken, if any."""
        return self.newest.module_version if self.newest.id != self.release.id else None


@dataclass(frozen=True)
class JourneyLine:
    """One row of the participant's module list: plain values, so the list pages never
    load ORM objects (the dashboard is the most visited page)."""

    slug: str
    title: str
    number: int
    minutes: int
    status: str
    is_new: bool
    released_at: datetime  # when the newest version released to them came out
    newer_number: int | None  # a newer released version than the one taken


@dataclass(frozen=True)
class JourneySummary:
    entries: list[JourneyLine]
    previous_visit: datetime | None

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def completed_minutes(self) -> int:
        return sum(e.minutes for e in self.entries if e.status == COMPLETED)

    @property
    def new_count(self) -> int:
        return sum(1 for e in self.entries if e.is_new)


# Built once with the person and the module's slug bound (as ``_HOME`` below): the module
# page runs it on every visit.
_SCHEDULED_TO = (
    sa.select(Release, Enrolment, Progress)
    .join(Enrolment, Enrolment.cohort_id == Release.cohort_id)
    .outerjoin(
        Progress,
        sa.and_(Progress.enrolment_id == Enrolment.id, Progress.release_id == Release.id),
    )
    .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
    .where(
        Enrolment.user_id == sa.bindparam("user_id"),
        Enrolment.status == EnrolmentStatus.ENROLLED,
        Release.status == ReleaseStatus.SCHEDULED,
        ModuleVersion.module_id
        == sa.select(Module.id).where(Module.slug == sa.bindparam("slug")).scalar_subquery(),
    )
    .options(
        # Leave out the module bodies and the GPC mapping: the page shows one version,
        # read whole by the module page itself.
        contains_eager(Release.module_version)
        .load_only(
            *VERSION_CARD,
            ModuleVersion.delivery_mode,
            ModuleVersion.changelog,
            ModuleVersion.published_at,
        )
        .options(joinedload(ModuleVersion.module), lazyload(ModuleVersion.domains)),
        joinedload(Release.cohort).load_only(Cohort.pilot_id, Cohort.slug, Cohort.name),
    )
)


def _scheduled_to(user: User, slug: str) -> list[tuple[Release, Enrolment, Progress | None]]:
    """Each scheduled release of the module with ``slug`` to a cohort the person is
    enrolled in, out or still to come, with their progress on it (joined through the
    (enrolment, release) unique index)."""
    params = {"user_id": user.id, "slug": slug}
    return list(db.session.execute(_SCHEDULED_TO, params).unique().tuples())


def _fresh_after(since: datetime | None) -> datetime:
    """Releases after this moment are marked new: the last 14 days, or since the visit
    before this one if that was longer ago."""
    fresh_after = utcnow() - timedelta(days=NEW_FOR_DAYS)
    return fresh_after if since is None else min(fresh_after, since)


def _released_to(user: User, slug: str) -> list[tuple[Release, Enrolment, Progress | None]]:
    """``_scheduled_to`` without the releases still to come."""
    now = utcnow()
    return [row for row in _scheduled_to(user, slug) if row[0].release_at <= now]


def journey_for(user: User, slug: str) -> list[JourneyEntry]:
    """The module with ``slug`` as the participant takes it (one entry, or none when it is
    not released to them) and when each version first reaches their cohort, in one
    statement."""
    scheduled = _scheduled_to(user, slug)
    now = utcnow()
    rows = [row for row in scheduled if row[0].release_at <= now]
    progress = {(p.enrolment_id, p.release_id): p for _, _, p in rows if p is not None}
    fresh_after = _fresh_after(None)

    by_module: dict[int, list[tuple[Release, Enrolment]]] = defaultdict(list)
    for release, enrolment, _ in rows:
        by_module[release.module_version.module_id].append((release, enrolment))

    entries = []
    for candidates in by_module.values():
        (release, enrolment), (newest, _) = choose(
            candidates,
            lambda pair: (
                pair[0].module_version.number,
                (pair[1].id, pair[0].id) in progress,
                pair[0].release_at,
            ),
        )
        reaches: dict[int, datetime] = {}
        for scheduled_release, _, _ in scheduled:
            if scheduled_release.cohort_id == enrolment.cohort_id:
                version_id, at = scheduled_release.module_version_id, scheduled_release.release_at
                reaches[version_id] = min(at, reaches.get(version_id, at))
        entries.append(
            JourneyEntry(
                release=release,
                newest=newest,
                enrolment=enrolment,
                progress=progress.get((enrolment.id, release.id)),
                is_new=newest.release_at > fresh_after,
                reaches=reaches,
            )
        )
    return sorted(entries, key=lambda e: (e.newest.release_at, e.version.title), reverse=True)


def entry_for(user: User, slug: str) -> JourneyEntry | None:
    """The module with ``slug`` as this participant takes it, or None if not released to them."""
    entries = journey_for(user, slug=slug)
    return entries[0] if entries else None


def released_versions(user: User, slug: str) -> dict[int, tuple[Release, Enrolment]]:
    """Every version of the module released to the participant, by version number."""
    found: dict[int, tuple[Release, Enrolment]] = {}
    for release, enrolment, _ in sorted(_released_to(user, slug), key=lambda r: r[0].release_at):
        found.setdefault(release.module_version.number, (release, enrolment))
    return found


_ENROLMENTS = (
    sa.select(Enrolment)
    .where(Enrolment.user_id == sa.bindparam("user_id"))
    .options(joinedload(Enrolment.cohort).joinedload(Cohort.pilot))
    .order_by(Enrolment.created_at)
)


def enrolments_of(user: User) -> list[Enrolment]:
    """The person's enrolments (any status) with cohort and pilot, oldest first (a
    statement built once: the account and record pages read them on every visit)."""
    return list(db.session.scalars(_ENROLMENTS, {"user_id": user.id}))


# The list pages (the dashboard above all) run these on every visit, so they are built once
# with bound parameters, read plain rows and stay at two queries whatever the number of
# modules or cohorts.
_PREVIOUS_VISIT = (
    # The second newest successful sign-in, from the audit log: "new since your last visit"
    # needs no write on every page view and stays the same for the whole visit.
    sa.select(AuditEvent.occurred_at)
    .where(AuditEvent.actor_id == sa.bindparam("user_id"), AuditEvent.action == "login.succeeded")
    .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    .limit(1)
    .offset(1)
    .scalar_subquery()
)
_RELEASES = sa.join(ModuleVersion, Release, Release.module_version_id == ModuleVersion.id).join(
    Module, Module.id == ModuleVersion.module_id
)
_HOME = (
    # One row even for someone with no enrolment (the previous visit hangs off a single-row
    # select); then a row per scheduled release to each of their cohorts, out or to come,
    # with their progress on it. (The header's unread count comes with the account:
    # auth/sessions.py.)
    sa.select(
        _PREVIOUS_VISIT.label("previous_visit"),
        Enrolment.status,
        Enrolment.id.label("enrolment_id"),
        Cohort.slug.label("cohort_slug"),
        Cohort.name.label("cohort_name"),
        Pilot.name.label("pilot_name"),
        ModuleVersion.module_id,
        Module.slug,
        ModuleVersion.number,
        ModuleVersion.title,
        ModuleVersion.estimated_minutes,
        Release.release_at,
        Progress.id.label("progress_id"),
        Progress.started_at,
        Progress.completed_at,
    )
    .select_from(sa.select(sa.literal(1).label("one")).subquery())
    .outerjoin(
        sa.join(Enrolment, Cohort, Cohort.id == Enrolment.cohort_id).join(
            Pilot, Pilot.id == Cohort.pilot_id
        ),
        Enrolment.user_id == sa.bindparam("user_id"),
    )
    .outerjoin(
        _RELEASES,
        sa.and_(
            Release.cohort_id == Enrolment.cohort_id,
            Release.status == ReleaseStatus.SCHEDULED,
            Enrolment.status.in_(ACTIVE),
        ),
    )
    .outerjoin(
        Progress,
        sa.and_(Progress.enrolment_id == Enrolment.id, Progress.release_id == Release.id),
    )
    .order_by(Enrolment.created_at, Enrolment.id, Release.release_at, Release.id)
)


@dataclass(frozen=True)
class CohortPlace:
    cohort_slug: str
    cohort_name: str
    pilot_name: str
    status: EnrolmentStatus


@dataclass(frozen=True)
class Overview:
    """What the participant's home page and "My learning" show."""

    places: list[CohortPlace]
    summary: JourneySummary
    coming: list[NextRelease]


def overview(user_id: int, coming: int = 5) -> Overview:
    """The participant's cohorts, modules, progress, previous visit and the next ``coming``
    releases to their cohorts, in one statement: the releases out (to cohorts they are
    enrolled in) make the journey, those still to come (to cohorts they are enrolled or
    invited in) the list of what is next. Read as plain rows through the session's
    connection: the ORM would only add its own work to every visit of the home page."""
    now = utcnow()
    rows = db.session.connection().execute(_HOME, {"user_id": user_id}).all()
    places: dict[int, CohortPlace] = {}
    out, later = [], []
    for row in rows:
        if row.status is None:
            continue
        if row.enrolment_id not in places:
            place = CohortPlace(row.cohort_slug, row.cohort_name, row.pilot_name, row.status)
            places[row.enrolment_id] = place
        if row.release_at is None:
            continue
        if row.release_at > now:
            shown = (row.title, row.slug, row.number, row.cohort_name, row.release_at)
            later.append(NextRelease(*shown))
        elif row.status == EnrolmentStatus.ENROLLED:
            out.append(row)
    since = rows[0].previous_visit
    later.sort(key=lambda next_one: (next_one.release_at, next_one.title))
    summary = JourneySummary(_lines(out, since), since)
    return Overview(list(places.values()), summary, later[:coming])


def _version_key(row: Any) -> tuple[int, bool, datetime]:
    return (row.number, row.progress_id is not None, row.release_at)


def _lines(rows: Sequence[Any], since: datetime | None) -> list[JourneyLine]:
    fresh_after = _fresh_after(since)
    by_module: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_module[row.module_id].append(row)
    lines = []
    for candidates in by_module.values():
        if len(candidates) == 1:  # most modules: one version released to them
            taken = newest = candidates[0]
        else:
            taken, newest = choose(candidates, _version_key)
        lines.append(
            JourneyLine(
                slug=taken.slug,
                title=taken.title,
                number=taken.number,
                minutes=taken.estimated_minutes,
                status=status_of(taken.started_at, taken.completed_at),
                is_new=newest.release_at > fresh_after,
                released_at=newest.release_at,
                newer_number=newest.number if newest is not taken else None,
            )
        )
    return sorted(lines, key=lambda line: (line.released_at, line.title), reverse=True)


def journey_summary(user: User) -> JourneySummary:
    return overview(user.id).summary
