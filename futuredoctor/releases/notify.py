"""Scheduler job: tell each enrolled participant, once, that a release has come out.

Due releases are taken with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so a second scheduler
process skips them rather than repeating the work; the outbox's unique key (kind,
recipient, ``release:<id>``) is the final guard on every database. ``notifications_queued_at``
records that a release has been dealt with, so after downtime the job simply finds every
release that became due meanwhile.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from futuredoctor.extensions import db
from futuredoctor.models import (
    Enrolment,
    EnrolmentStatus,
    ModuleVersion,
    Release,
    ReleaseStatus,
)
from futuredoctor.notifications.outbox import queue_for_recipients

KIND = "module_released"
TITLE_LENGTH = 200  # Notification.title
ERROR_LENGTH = 200  # Release.notify_error
MAX_RETRY_PAUSE = timedelta(hours=6)

log = logging.getLogger(__name__)


def due_releases(now: datetime, limit: int) -> list[Release]:
    stmt = (
        sa.select(Release)
        .where(
            Release.status == ReleaseStatus.SCHEDULED,
            Release.release_at <= now,
            Release.notifications_queued_at.is_(None),
            sa.or_(Release.notify_retry_at.is_(None), Release.notify_retry_at <= now),
        )
        .order_by(Release.release_at, Release.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    stmt = stmt.options(
        selectinload(Release.module_version).selectinload(ModuleVersion.module),
        selectinload(Release.cohort),
    )
    return list(db.session.scalars(stmt))


def queue_release_notifications(release: Release, now: datetime) -> int:
    version = release.module_version
    updated = version.number > 1
    title = f"Updated module: {version.title}" if updated else f"New module: {version.title}"
    title = title[:TITLE_LENGTH]
    body = (
        f"Version {version.number} of “{version.title}” is now available to the "
        f"{release.cohort.name}."
        if updated
        else f"“{version.title}” is now available to the {release.cohort.name}."
    ) + f" It takes about {version.estimated_minutes} minutes."
    recipients = sa.select(Enrolment.user_id).where(
        Enrolment.cohort_id == release.cohort_id, Enrolment.status == EnrolmentStatus.ENROLLED
    )
    queued = queue_for_recipients(
        KIND,
        recipients,
        f"release:{release.id}",
        title,
        body,
        {
            "release_id": release.id,
            "module_slug": version.module.slug,
            "module_title": version.title,
        },
    )
    release.notifications_queued_at = now
    release.notify_retry_at = None
    return queued


def queue_due_release_notifications(now: datetime, limit: int = 100) -> int:
    """Queue notifications for releases that became due; returns how many rows were new.
    Each release is queued in its own savepoint. One that cannot be queued is logged, and
    its attempts, reason and next try are stored (shown on the admin outbox page); it waits
    out a growing pause, so a release that always fails never takes the others' turn. The
    caller commits."""
    queued = 0
    for release in due_releases(now, limit):
        release_id = release.id
        try:
            with db.session.begin_nested():
                queued += queue_release_notifications(release, now)
        except Exception as error:
            log.exception("Release %s: notifications not queued; will try again", release_id)
            _record_failure(release, error, now)
    db.session.flush()
    return queued


def retry_pause(attempts: int) -> timedelta:
    """1, 2, 4… minutes after each failure, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_RETRY_PAUSE)


def _record_failure(release: Release, error: Exception, now: datetime) -> None:
    try:
        with db.session.begin_nested():
            release.notify_attempts = (release.notify_attempts or 0) + 1
            release.notify_retry_at = now + retry_pause(release.notify_attempts)
            release.notify_error = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    except Exception:  # the database itself is failing: the next poll finds the release again
        log.exception("Release %s: the failure could not be recorded", release.id)


def failing_releases(limit: int = 50) -> list[Release]:
    """Due releases whose notifications could not be queued yet, oldest first."""
    stmt = (
        sa.select(Release)
        .where(Release.notifications_queued_at.is_(None), Release.notify_attempts > 0)
        .order_by(Release.release_at, Release.id)
        .limit(limit)
        .options(selectinload(Release.module_version), selectinload(Release.cohort))
    )
    return list(db.session.scalars(stmt))
