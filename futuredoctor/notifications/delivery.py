"""Emailing queued notifications, safely from any number of scheduler processes.

A batch is claimed with one ``UPDATE ... SET sent_at = now WHERE sent_at IS NULL ...
RETURNING id``; on PostgreSQL the rows are picked with ``FOR UPDATE SKIP LOCKED`` so two
processes take different rows instead of waiting, and on SQLite the conditional update
itself is the claim (SQLite lets one writer in at a time). The claim is part of the job's
only transaction: if the process dies before committing, the claim rolls back and the rows
are sent later, so nothing is lost. A failed send puts the row back with ``attempts`` and
``last_error`` and is retried with growing pauses.

``sent_at`` means "the outbox is done with this row": emailed, or not emailed because the
person turned email off (``attempts`` stays 0 then). The in-app inbox shows every row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for

from futuredoctor.extensions import db
from futuredoctor.mail import MailError, build_message, send
from futuredoctor.models import Notification, User

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=2)


@dataclass
class DeliveryReport:
    sent: int = 0
    skipped: int = 0  # email turned off or account disabled: in-app only
    failed: int = 0


def retry_after(attempts: int) -> timedelta:
    """Time since queueing before attempt ``attempts + 1``: 0, 1, 3, 7, 15... minutes,
    each pause at most two hours."""
    total, pause = timedelta(0), FIRST_RETRY
    for _ in range(attempts):
        total += pause
        pause = min(pause * 2, LONGEST_PAUSE)
    return total


def _due(now: datetime, max_attempts: int) -> sa.ColumnElement[bool]:
    return sa.or_(
        *(
            sa.and_(Notification.attempts == n, Notification.created_at <= now - retry_after(n))
            for n in range(max_attempts)
        )
    )


def claim_batch(now: datetime, limit: int, max_attempts: int) -> list[int]:
    """Mark up to ``limit`` due rows as taken by this transaction; returns their ids."""
    pick = (
        sa.select(Notification.id)
        .where(Notification.sent_at.is_(None), _due(now, max_attempts))
        .order_by(Notification.created_at, Notification.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # A CTE runs the locking pick once; "id IN (subquery)" may be re-run by the
        # planner and, with SKIP LOCKED, take more rows than the limit.
        picked = pick.with_for_update(skip_locked=True).cte("picked")
        taken: sa.ColumnElement[bool] = Notification.id == picked.c.id
    else:
        # SQLite: a statement that starts with UPDATE (not WITH) opens the transaction
        # that makes the conditional update a claim; one writer at a time does the rest.
        taken = Notification.id.in_(pick.scalar_subquery())
    claim = (
        sa.update(Notification)
        .where(taken, Notification.sent_at.is_(None))
        .values(sent_at=now)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return list(db.session.scalars(claim))


def _email_body(notification: Notification) -> str:
    link = _link(notification)
    lines = [notification.body, ""]
    if link:
        lines += [link, ""]
    lines += [
        "You get this email because you take part in a Future Doctor pilot.",
        "Change your notification settings: "
        + url_for("notifications.preferences", _external=True),
    ]
    return "\n".join(lines)


def _link(notification: Notification) -> str | None:
    slug = (notification.payload or {}).get("module_slug")
    if slug:
        return url_for("learning.module", slug=slug, _external=True)
    if notification.kind == "weekly_digest":
        return url_for("main.home", _external=True)
    return None


def send_queued(now: datetime, limit: int | None = None) -> DeliveryReport:
    """Claim and email one batch. The caller commits once (or rolls back on error)."""
    config = current_app.config
    limit = limit or int(config.get("SCHEDULER_BATCH_SIZE", 200))
    max_attempts = int(config.get("MAIL_MAX_ATTEMPTS", 8))
    report = DeliveryReport()
    ids = claim_batch(now, limit, max_attempts)
    if not ids:
        return report
    rows = db.session.execute(
        sa.select(Notification, User)
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.id.in_(ids))
        .order_by(Notification.id)
        .execution_options(populate_existing=True)
    ).all()
    with current_app.test_request_context(base_url=config.get("PUBLIC_URL")):
        for notification, user in rows:
            _deliver(notification, user, now, report, config)
    db.session.flush()
    return report


def _deliver(
    notification: Notification, user: User, now: datetime, report: DeliveryReport, config: Any
) -> None:
    if not user.email_notifications or not user.is_enabled:
        report.skipped += 1
        return
    notification.attempts += 1
    message = build_message(
        user.email,
        notification.title,
        _email_body(notification),
        config,
        message_id=f"<notification-{notification.id}@futuredoctor.invalid>",
    )
    try:
        send(message)
    except (MailError, OSError) as error:
        notification.sent_at = None
        notification.last_error = str(error)[:2000]
        report.failed += 1
        log.warning(
            "Notification %s not sent (attempt %s): %s",
            notification.id,
            notification.attempts,
            error,
        )
    else:
        notification.sent_at = now
        notification.last_error = None
        report.sent += 1
