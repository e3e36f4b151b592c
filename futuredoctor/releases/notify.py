"""Scheduler job: tell each enrolled participant, once, that a release has come out.

Due releases are taken with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so a second scheduler
process skips them rather than repeating the work; the outbox's unique key (kind,
recipient, ``release:<id>``) is the final guard on every database. ``notifications_queued_at``
records that a release has been dealt with, so after downtime the job simply finds every
release that became due meanwhile.
"""

from __future__ import annotations

import logging
from datetime import datetime

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

log = logging.getLogger(__name__)


def due_releases(now: datetime, limit: int) -> list[Release]:
    stmt = (
        sa.select(Release)
        .where(
            Release.status == ReleaseStatus.SCHEDULED,
            Release.release_at <= now,
            Release.notifications_queued_at.is_(None),
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
    return queued


def queue_due_release_notifications(now: datetime, limit: int = 100) -> int:
    """Queue notifications for releases that became due; returns how many rows were new.
    Each release is queued in its own savepoint, so one that cannot be queued is logged
    with its reason and left for the next poll while the others go on. The caller commits."""
    queued = 0
    for release in due_releases(now, limit):
        release_id = release.id
        try:
            with db.session.begin_nested():
                queued += queue_release_notifications(release, now)
        except Exception:
            log.exception("Release %s: notifications not queued; tried again next poll", release_id)
    db.session.flush()
    return queued
