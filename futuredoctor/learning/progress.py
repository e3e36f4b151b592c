"""Starting and completing modules, and private reflections. Services change and flush; the
request door commits once. Every action is idempotent: a second click changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from futuredoctor.extensions import db
from futuredoctor.learning.evidence import needs_register
from futuredoctor.learning.journey import JourneyEntry, entry_for, released_versions
from futuredoctor.models import (
    CompletionMethod,
    Enrolment,
    ModuleVersion,
    Progress,
    Release,
    User,
    utcnow,
)
from futuredoctor.refusals import Refusal

REFLECTION_MAX = 10_000


class NotReleased(LookupError):
    """The module has not been released to this participant."""


def require_entry(user: User, slug: str) -> JourneyEntry:
    entry = entry_for(user, slug)
    if entry is None:
        raise NotReleased(slug)
    return entry


def _progress_row(enrolment: Enrolment, release: Release) -> Progress:
    """The progress row for this enrolment and release, created if missing."""
    progress = db.session.scalar(
        sa.select(Progress).where(
            Progress.enrolment_id == enrolment.id, Progress.release_id == release.id
        )
    )
    if progress is None:
        progress = Progress(enrolment_id=enrolment.id, release_id=release.id)
        db.session.add(progress)
        db.session.flush()  # a concurrent duplicate fails here, on the unique constraint
    return progress


def start(user: User, slug: str, version_number: int | None = None) -> tuple[Progress, bool]:
    """Start the version taken (or a newer released ``version_number``). Returns the
    progress and whether anything changed."""
    entry = require_entry(user, slug)
    release, enrolment = entry.release, entry.enrolment
    if version_number is not None and version_number != entry.version.number:
        found = released_versions(user, slug).get(version_number)
        if found is None or version_number < entry.version.number:
            raise Refusal(None, f"Version {version_number} has not been released to you")
        release, enrolment = found
    progress = _progress_row(enrolment, release)
    if progress.started_at is not None:
        return progress, False
    progress.started_at = utcnow()
    db.session.flush()
    return progress, True


def complete(user: User, slug: str) -> tuple[Progress, bool]:
    """Mark the version taken as completed (starting it too, if need be): self-declared.
    A workshop is completed only through its signed attendance register."""
    entry = require_entry(user, slug)
    done = entry.progress is not None and entry.progress.completed_at is not None
    if needs_register(entry.version) and not done:
        raise Refusal(
            None,
            "A workshop is completed when the lead educator signs the attendance register "
            "for your session",
        )
    progress = _progress_row(entry.enrolment, entry.release)
    if progress.completed_at is not None:
        return progress, False
    now = utcnow()
    progress.started_at = progress.started_at or now
    progress.completed_at = now
    progress.completed_how = CompletionMethod.SELF_DECLARED
    db.session.flush()
    return progress, True


def save_reflection(user: User, slug: str, text: str) -> Progress:
    """Keep the participant's private reflection; an empty text removes it."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) > REFLECTION_MAX:
        raise Refusal(
            "reflection",
            f"Reflection must be {REFLECTION_MAX:,} characters or fewer (it has {len(text):,})",
        )
    entry = require_entry(user, slug)
    progress = _progress_row(entry.enrolment, entry.release)
    new_value = text or None
    if progress.reflection != new_value:
        progress.reflection = new_value
        progress.reflection_updated_at = utcnow()
        db.session.flush()
    return progress


def reflections_of(user: User) -> list[Progress]:
    """The participant's own reflections, most recently written first; one query."""
    stmt = (
        sa.select(Progress)
        .join(Enrolment, Enrolment.id == Progress.enrolment_id)
        .where(Enrolment.user_id == user.id, Progress.reflection.is_not(None))
        .options(
            joinedload(Progress.release)
            .joinedload(Release.module_version)
            .joinedload(ModuleVersion.module)
        )
        .order_by(Progress.reflection_updated_at.desc(), Progress.id.desc())
    )
    return list(db.session.scalars(stmt))
