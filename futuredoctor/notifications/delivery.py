"""Emailing queued notifications one at a time, so one bad message never stops the rest
and a crash repeats at most the message in flight.

For each message: **claim** one waiting row (PostgreSQL picks it with ``FOR UPDATE SKIP
LOCKED`` so two processes take different rows; on SQLite the conditional ``UPDATE`` is the
claim) by counting the attempt and pushing ``next_attempt_at`` one lease ahead, and
**commit**; then build and **send** the email; then **record** the result and **commit**.
Each claim and each result is a single statement on an autocommit connection, so each is
committed on its own.

- A crash or a database outage before the claim commits sends nothing; the row stays
  waiting. After the claim commits and before the result commits, the row is re-claimed
  once its lease runs out and sent again: that one message may arrive twice. Each email
  carries a ``Message-ID`` derived from its row, so receiving servers can drop the copy.
- Anything that goes wrong building or sending one message (a header with a newline, a
  template error, the relay refusing) is recorded on that row (``last_error``, ``attempts``)
  and the loop goes on. A send failure is retried with growing pauses until
  ``MAIL_MAX_ATTEMPTS``; a message that cannot be built is given up at once, since trying
  again cannot change it. A given-up row has ``failed_at`` and shows on the national
  admin's outbox page, where it can be retried or discarded.

``sent_at`` means "the outbox is done with this row": emailed, or not emailed because the
person turned email off (``attempts`` stays 0 then). The in-app inbox shows every row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for

from futuredoctor.extensions import db
from futuredoctor.logs import current_id, mask_emails
from futuredoctor.mail import MailError, MailRefused, build_message, message_domain, send
from futuredoctor.models import Notification, User

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=2)
DEFAULT_LEASE = timedelta(minutes=5)
ERROR_LENGTH = 2000


@dataclass
class DeliveryReport:
    sent: int = 0
    skipped: int = 0  # email turned off or account disabled: in-app only
    failed: int = 0  # this attempt failed (retried later or given up)
    given_up: int = 0  # of which now marked failed for good


class Unbuildable(Exception):
    """The message cannot be built from the row (bad header, template error): retrying
    cannot help, so the row is given up at once."""


def pause_after(attempts: int) -> timedelta:
    """Pause after failed attempt number ``attempts``: 1, 2, 4, 8... minutes, at most two
    hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_PAUSE)


def lease(config: Any) -> timedelta:
    """How long a claim holds a row before another sender may take it again. Longer than
    one send can take (the SMTP timeout), so a live sender is never overtaken."""
    seconds = config.get("MAIL_CLAIM_SECONDS")
    if seconds:
        return timedelta(seconds=float(seconds))
    return max(DEFAULT_LEASE, timedelta(seconds=4 * int(config.get("MAIL_SMTP_TIMEOUT", 30))))


def waiting() -> sa.ColumnElement[bool]:
    return sa.and_(
        Notification.sent_at.is_(None),
        Notification.failed_at.is_(None),
        Notification.discarded_at.is_(None),
    )


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        waiting(),
        sa.or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
    )


def give_up_unfinished(conn: sa.Connection, now: datetime, max_attempts: int) -> int:
    """Rows whose every attempt was claimed but never recorded (the sender died each time,
    perhaps on this very message) are given up instead of being tried forever."""
    result = conn.execute(
        sa.update(Notification)
        .where(_due(now), Notification.attempts >= max_attempts)
        .values(
            failed_at=now,
            next_attempt_at=None,
            last_error=sa.func.coalesce(
                Notification.last_error, f"No result recorded after {max_attempts} attempts"
            ),
        )
        .execution_options(preserve_rowcount=True)
    )
    return max(result.rowcount or 0, 0)


CLAIMED = (
    Notification.id,
    Notification.kind,
    Notification.recipient_id,
    Notification.title,
    Notification.body,
    Notification.payload,
    Notification.attempts,
    Notification.request_id,
)


def claim_one(
    conn: sa.Connection, now: datetime, max_attempts: int, hold: timedelta
) -> sa.Row[Any] | None:
    """Take one due row for this sender in one statement: count the attempt and hold it
    for ``hold``. On an autocommit connection the statement is its own transaction, so the
    claim is committed when this returns. Returns the row, or None when nothing is due."""
    pick = (
        sa.select(Notification.id)
        .where(_due(now), Notification.attempts < max_attempts)
        .order_by(Notification.created_at, Notification.id)
        .limit(1)
    )
    if conn.dialect.name == "postgresql":
        # A CTE runs the locking pick once; "id IN (subquery)" may be re-run by the planner.
        picked = pick.with_for_update(skip_locked=True).cte("picked")
        taken: sa.ColumnElement[bool] = Notification.id == picked.c.id
    else:
        # SQLite: a statement that starts with UPDATE (not WITH) takes the write lock, and
        # the repeated conditions make it a claim: one writer at a time does the rest.
        taken = Notification.id.in_(pick.scalar_subquery())
    claim = (
        sa.update(Notification)
        .where(taken, _due(now))
        .values(attempts=Notification.attempts + 1, next_attempt_at=now + hold)
        .returning(*CLAIMED)
    )
    return conn.execute(claim).first()


def message_id(notification_id: int, config: Any) -> str:
    """Stable per outbox row, so a copy sent again after a crash can be recognised."""
    return f"<notification-{notification_id}@{message_domain(config)}>"


def _email_body(notification: Any) -> str:
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


def _link(notification: Any) -> str | None:
    slug = (notification.payload or {}).get("module_slug")
    if slug:
        return url_for("learning.module", slug=slug, _external=True)
    if notification.kind == "weekly_digest":
        return url_for("main.home", _external=True)
    opportunity_id = (notification.payload or {}).get("opportunity_id")
    if isinstance(opportunity_id, int):
        return url_for("community.opportunity", opportunity_id=opportunity_id, _external=True)
    return None


def build_email(notification: Any, user: Any, config: Any) -> EmailMessage:
    """The email for one row; any problem is raised as ``Unbuildable``."""
    try:
        return build_message(
            user.email,
            notification.title,
            _email_body(notification),
            config,
            message_id=message_id(notification.id, config),
        )
    except Exception as error:
        raise Unbuildable(f"Cannot build the email: {_describe(error)}") from error


def _describe(error: BaseException) -> str:
    plain = isinstance(error, (Unbuildable, MailError))
    text = str(error) if plain else f"{type(error).__name__}: {error}"
    return text[:ERROR_LENGTH]


def send_queued(now: datetime, limit: int | None = None) -> DeliveryReport:
    """Send up to ``limit`` due messages. Each claim and each result is its own committed
    statement on one autocommit connection (so three round trips a message, not a batch
    transaction). An error reaching the database propagates: the caller logs it and the
    next poll goes on, with at most the message in flight to repeat.

    ``now`` is when the round started; the time each claim and result uses moves on from it
    as the round goes, so a lease taken late in a slow round still runs from its claim."""
    config = current_app.config
    limit = limit or int(config.get("SCHEDULER_BATCH_SIZE", 200))
    max_attempts = int(config.get("MAIL_MAX_ATTEMPTS", 8))
    hold = lease(config)
    report = DeliveryReport()
    started = time.monotonic()

    def moment() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    with (
        db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn,
        current_app.test_request_context(base_url=config.get("PUBLIC_URL")),
    ):
        report.given_up += give_up_unfinished(conn, now, max_attempts)
        for _ in range(limit):
            claimed = claim_one(conn, moment(), max_attempts, hold)
            if claimed is None:
                break
            deliver_one(conn, claimed, moment, max_attempts, report, config)
    return report


def deliver_one(
    conn: sa.Connection,
    notification: sa.Row[Any],
    moment: Callable[[], datetime],
    max_attempts: int,
    report: DeliveryReport,
    config: Any,
) -> None:
    """Build and send one claimed row, then record the outcome (timed by ``moment``)."""
    user = conn.execute(
        sa.select(User.email, User.email_notifications, User.is_enabled).where(
            User.id == notification.recipient_id
        )
    ).one()
    if not user.email_notifications or not user.is_enabled:
        # Nothing was attempted: in-app only.
        _record(conn, notification, attempts=notification.attempts - 1, **_done(moment()))
        report.skipped += 1
        _log_outcome(notification, "skipped")
        return
    try:
        send(build_email(notification, user, config))
    except MailRefused:
        # Configuration forbids sending anything: give the row back untouched and fail the
        # job loudly.
        _record(conn, notification, attempts=notification.attempts - 1, next_attempt_at=None)
        _log_outcome(notification, "refused")
        raise
    except Exception as error:  # one bad message never stops the others
        _record(conn, notification, **_failed(notification, moment(), error, max_attempts, report))
        _log_outcome(notification, "failed")
    else:
        _record(conn, notification, **_done(moment()))
        report.sent += 1
        _log_outcome(notification, "sent")


def _log_outcome(notification: sa.Row[Any], outcome: str) -> None:
    """One line per message with the sending job's id; never the address or the text."""
    log.info(
        "notification %s %s (attempt %s)",
        notification.id,
        outcome,
        notification.attempts,
        extra={
            "job_id": current_id(),
            "queued_by_request": notification.request_id,
            "notification_id": notification.id,
            "kind": notification.kind,
            "outcome": outcome,
            "attempt": notification.attempts,
        },
    )


def _record(conn: sa.Connection, notification: sa.Row[Any], **values: Any) -> None:
    conn.execute(sa.update(Notification).where(Notification.id == notification.id).values(values))


def _done(now: datetime) -> dict[str, Any]:
    return {"sent_at": now, "next_attempt_at": None, "last_error": None}


def _failed(
    notification: sa.Row[Any],
    now: datetime,
    error: Exception,
    max_attempts: int,
    report: DeliveryReport,
) -> dict[str, Any]:
    reason = _describe(error)
    report.failed += 1
    if isinstance(error, Unbuildable) or notification.attempts >= max_attempts:
        report.given_up += 1
        log.error(
            "Notification %s given up after %s attempt(s): %s",
            notification.id,
            notification.attempts,
            mask_emails(reason),
        )
        return {"last_error": reason, "failed_at": now, "next_attempt_at": None}
    log.warning(
        "Notification %s not sent (attempt %s), retrying later: %s",
        notification.id,
        notification.attempts,
        mask_emails(reason),
    )
    return {"last_error": reason, "next_attempt_at": now + pause_after(notification.attempts)}
