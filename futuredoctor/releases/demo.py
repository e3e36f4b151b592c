"""Demo notifications: the release notices the scheduler would have queued for the demo
releases that are already out, with the oldest one read. Repeatable: the outbox's unique
key and ``notifications_queued_at`` make a second run a no-op."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import Notification, User, utcnow
from futuredoctor.releases.notify import queue_due_release_notifications


def create_release_demo_data(participant: User) -> None:
    queue_due_release_notifications(utcnow())
    oldest = db.session.scalar(
        sa.select(Notification)
        .where(Notification.recipient_id == participant.id)
        .order_by(Notification.created_at, Notification.id)
        .limit(1)
    )
    if oldest is not None and oldest.read_at is None and not _any_read(participant):
        oldest.read_at = utcnow()
    db.session.flush()


def _any_read(participant: User) -> bool:
    stmt = sa.select(sa.func.count()).where(
        Notification.recipient_id == participant.id, Notification.read_at.isnot(None)
    )
    return bool(db.session.scalar(stmt))
