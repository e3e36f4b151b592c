"""What is coming to a participant: later versions of a module they take, and the next
releases to their cohorts, with the date each reaches them (or that none is set yet).

The loop is only visible if a participant can tell which version they have and when a
change made after their feedback reaches their cohort.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Module,
    ModuleVersion,
    Release,
    ReleaseStatus,
    User,
    utcnow,
)

ACTIVE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.INVITED)


@dataclass(frozen=True)
class LaterVersion:
    """A version newer than the one the participant has, and when it reaches their cohort:
    ``reaches_at`` is None when no release to their cohort is scheduled yet."""

    version: ModuleVersion
    reaches_at: datetime | None

    @property
    def released(self) -> bool:
        return self.reaches_at is not None and self.reaches_at <= utcnow()


@dataclass(frozen=True)
class NextRelease:
    title: str
    slug: str
    number: int
    cohort_name: str
    release_at: datetime


def later_versions(module: Module, after: int, reaches: dict[int, datetime]) -> list[LaterVersion]:
    """Versions of ``module`` numbered above ``after``, oldest first, with when each is
    scheduled to reach the cohort (``reaches``: the journey entry's, read with it). The
    versions are the module's own, already loaded: no statement."""
    later = [version for version in module.versions if version.number > after]
    return [LaterVersion(version, reaches.get(version.id)) for version in later]


def _upcoming(user: User) -> sa.Select[tuple[str, str, int, str, datetime]]:
    return _upcoming_where(user.id, utcnow())


def _upcoming_where(user_id: Any, now: Any) -> sa.Select[tuple[str, str, int, str, datetime]]:
    return (
        sa.select(
            ModuleVersion.title, Module.slug, ModuleVersion.number, Cohort.name, Release.release_at
        )
        .join(Module, Module.id == ModuleVersion.module_id)
        .join(Release, Release.module_version_id == ModuleVersion.id)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .join(Enrolment, Enrolment.cohort_id == Release.cohort_id)
        .where(
            Enrolment.user_id == user_id,
            Enrolment.status.in_(ACTIVE),
            Release.status == ReleaseStatus.SCHEDULED,
            Release.release_at > now,
        )
        .order_by(Release.release_at, ModuleVersion.title)
    )


def next_release_of(user: User, module: Module) -> datetime | None:
    """When ``module`` (any version) next reaches one of the participant's cohorts."""
    stmt = _upcoming(user).where(Module.id == module.id).limit(1)
    row = db.session.execute(stmt).first()
    return row[4] if row else None
