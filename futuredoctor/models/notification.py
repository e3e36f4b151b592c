"""The notification outbox: one row per (kind, recipient, subject), so queueing is idempotent.

A row is waiting while ``sent_at``, ``failed_at`` and ``discarded_at`` are all empty; the
sender claims it by pushing ``next_attempt_at`` forward (a lease), and records the result.
``failed_at`` means the sender gave up (too many attempts, or a message that cannot be
built); a national admin can retry it or discard it (kept, never deleted)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from futuredoctor.models.base import Base, utcnow
from futuredoctor.models.user import User

WAITING = "sent_at IS NULL AND failed_at IS NULL AND discarded_at IS NULL"
PROBLEM = "sent_at IS NULL AND discarded_at IS NULL AND (failed_at IS NOT NULL OR attempts > 0)"


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("kind", "recipient_id", "subject_key"),
        # The sender polls waiting rows; a partial index keeps that cheap at scale.
        sa.Index(
            "ix_notification_unsent",
            "created_at",
            sqlite_where=sa.text(WAITING),
            postgresql_where=sa.text(WAITING),
        ),
        # The admin's outbox page and home-page count read only emails that failed: few.
        sa.Index(
            "ix_notification_problem",
            "failed_at",
            "created_at",
            sqlite_where=sa.text(PROBLEM),
            postgresql_where=sa.text(PROBLEM),
        ),
        sa.Index("ix_notification_recipient_read", "recipient_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    subject_key: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # The request (or scheduler job) that queued it, as in the logs: follows an incident
    # from the page that caused an email to the email's own log line.
    request_id: Mapped[str | None] = mapped_column(sa.String(36))
    # Not tried before this time: the lease of a claim in flight, or the pause after a failure.
    next_attempt_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    discarded_at: Mapped[datetime | None]

    recipient: Mapped[User] = relationship()
