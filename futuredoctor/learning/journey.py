"""A participant's learning journey: the modules released to them, the version they take,
their progress and what is new. A fixed number of queries, whatever the number of modules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from futuredoctor.extensions import db
from futuredoctor.models import (
    AuditEvent,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Module,
    ModuleVersion,
    Progress,
    Release,
    User,
    utcnow,
)

NEW_FOR_DAYS = 14
NOT_STARTED, IN_PROGRESS, COMPLETED = "Not started", "In progress", "Completed"


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

    @property
    def version(self) -> ModuleVersion:
        return self.release.module_version

    @property
    def module(self) -> Module:
        return self.release.module_version.module

    @property
    def status(self) -> str:
        if self.progress is None or self.progress.started_at is None:
            return NOT_STARTED
        return COMPLETED if self.progress.completed_at else IN_PROGRESS

    @property
    def newer_version(self) -> ModuleVersion | None:
        """A newer released version than the one taken, if any."""
        return self.newest.module_version if self.newest.id != self.release.id else None


@dataclass(frozen=True)
class JourneySummary:
    entries: list[JourneyEntry]
    previous_visit: datetime | None

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def completed_minutes(self) -> int:
        return sum(e.version.estimated_minutes for e in self.entries if e.status == COMPLETED)

    @property
    def new_count(self) -> int:
        return sum(1 for e in self.entries if e.is_new)


def previous_visit(user: User) -> datetime | None:
    """When the person signed in before this visit: the second newest successful sign-in.

    Read from the audit log, so "new since your last visit" needs no write on every page view
    and stays the same for the whole visit.
    """
    stmt = (
        sa.select(AuditEvent.occurred_at)
        .where(AuditEvent.actor_id == user.id, AuditEvent.action == "login.succeeded")
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
        .offset(1)
    )
    return db.session.scalar(stmt)


def _released_to(user: User, slug: str | None = None) -> list[tuple[Release, Enrolment]]:
    stmt = (
        sa.select(Release, Enrolment)
        .join(Enrolment, Enrolment.cohort_id == Release.cohort_id)
        .where(
            Enrolment.user_id == user.id,
            Enrolment.status == EnrolmentStatus.ENROLLED,
            Release.is_released,
        )
        .options(
            # The dashboard runs this on every visit: leave out the module bodies and the
            # GPC mapping, which only the module page needs (for one version).
            joinedload(Release.module_version)
            .load_only(
                ModuleVersion.module_id,
                ModuleVersion.number,
                ModuleVersion.title,
                ModuleVersion.summary,
                ModuleVersion.estimated_minutes,
                ModuleVersion.delivery_mode,
                ModuleVersion.changelog,
                ModuleVersion.published_at,
            )
            .options(joinedload(ModuleVersion.module), lazyload(ModuleVersion.domains)),
            joinedload(Release.cohort).load_only(Cohort.pilot_id, Cohort.slug, Cohort.name),
        )
    )
    if slug is not None:
        stmt = stmt.join(ModuleVersion, ModuleVersion.id == Release.module_version_id).where(
            ModuleVersion.module_id
            == sa.select(Module.id).where(Module.slug == slug).scalar_subquery()
        )
    return list(db.session.execute(stmt).unique().tuples())


def _progress_by_release(
    rows: list[tuple[Release, Enrolment]],
) -> dict[tuple[int, int], Progress]:
    """Progress on these (release, enrolment) pairs, found through the (enrolment, release)
    unique index rather than by scanning each release's progress across the cohort."""
    if not rows:
        return {}
    stmt = sa.select(Progress).where(
        Progress.enrolment_id.in_({e.id for _, e in rows}),
        Progress.release_id.in_({r.id for r, _ in rows}),
    )
    return {(p.enrolment_id, p.release_id): p for p in db.session.scalars(stmt)}


def journey_for(
    user: User, slug: str | None = None, since: datetime | None = None
) -> list[JourneyEntry]:
    """The participant's modules (or the one with ``slug``), newest release first."""
    rows = _released_to(user, slug)
    progress = _progress_by_release(rows)
    now = utcnow()
    fresh_after = now - timedelta(days=NEW_FOR_DAYS)
    if since is not None:
        fresh_after = min(fresh_after, since)

    by_module: dict[int, list[tuple[Release, Enrolment]]] = defaultdict(list)
    for release, enrolment in rows:
        by_module[release.module_version.module_id].append((release, enrolment))

    entries = []
    for candidates in by_module.values():
        # Newest version first; within a version, the cohort where they have progress first.
        candidates.sort(
            key=lambda pair: (
                pair[0].module_version.number,
                (pair[1].id, pair[0].id) in progress,
                pair[0].release_at,
            ),
            reverse=True,
        )
        newest, _ = candidates[0]
        taken = next(
            (pair for pair in candidates if (pair[1].id, pair[0].id) in progress), candidates[0]
        )
        release, enrolment = taken
        entries.append(
            JourneyEntry(
                release=release,
                newest=newest,
                enrolment=enrolment,
                progress=progress.get((enrolment.id, release.id)),
                is_new=newest.release_at > fresh_after,
            )
        )
    return sorted(entries, key=lambda e: (e.newest.release_at, e.version.title), reverse=True)


def journey_summary(user: User) -> JourneySummary:
    """Everything the dashboard and the home page show, in five queries."""
    since = previous_visit(user)
    return JourneySummary(journey_for(user, since=since), since)


def entry_for(user: User, slug: str) -> JourneyEntry | None:
    """The module with ``slug`` as this participant takes it, or None if not released to them."""
    entries = journey_for(user, slug=slug)
    return entries[0] if entries else None


def released_versions(user: User, slug: str) -> dict[int, tuple[Release, Enrolment]]:
    """Every version of the module released to the participant, by version number."""
    found: dict[int, tuple[Release, Enrolment]] = {}
    for release, enrolment in sorted(_released_to(user, slug), key=lambda p: p[0].release_at):
        found.setdefault(release.module_version.number, (release, enrolment))
    return found


def enrolments_of(user: User) -> list[Enrolment]:
    """The person's enrolments (any status) with cohort and pilot, oldest first."""
    stmt = (
        sa.select(Enrolment)
        .where(Enrolment.user_id == user.id)
        .options(joinedload(Enrolment.cohort).joinedload(Cohort.pilot))
        .order_by(Enrolment.created_at)
    )
    return list(db.session.scalars(stmt))
