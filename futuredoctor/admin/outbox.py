"""The email outbox as national admins see it: messages given up or waiting to be tried
again, how many are queued, and the two things an admin can do about one (retry it, or
discard it: kept on record, never sent).

Only given-up messages can be retried: a waiting one is already retried by the sender, and
resetting a row a sender holds right now could send it twice. Services flush; the request
commits.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from futuredoctor import audit, clock
from futuredoctor.extensions import db
from futuredoctor.models import Notification, User
from futuredoctor.paging import Page, paginate
from futuredoctor.refusals import Refusal

KIND_LABELS = {
    "module_released": "Module released",
    "weekly_digest": "Weekly digest",
    "invitation": "Invitation",
    "you_said_we_did": "You said, we did",
    "join_request": "Request to join",
    "enrolment_waitlisted": "Waiting list",
    "account_closure_kept_open": "Account kept open",
}

_OPEN = sa.and_(Notification.sent_at.is_(None), Notification.discarded_at.is_(None))
_FAILED = sa.and_(_OPEN, Notification.failed_at.is_not(None))
# Failed at least once: given up, or waiting for its next attempt.
_PROBLEM = sa.and_(_OPEN, sa.or_(Notification.failed_at.is_not(None), Notification.attempts > 0))
_QUEUED = sa.and_(_OPEN, Notification.failed_at.is_(None), Notification.attempts == 0)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def status(notification: Notification) -> str:
    """``failed`` (given up), ``retrying`` (failed before, tried again later) or ``queued``."""
    if notification.failed_at is not None:
        return "failed"
    return "retrying" if notification.attempts else "queued"


def problems(number: int) -> Page:
    """Messages that failed at least once and are not sent or discarded: given-up ones
    first, then those waiting to be retried, newest problem first. Paged; the recipient is
    loaded in the same query."""
    rank = sa.case((Notification.failed_at.is_not(None), 0), else_=1)
    stmt = (
        sa.select(Notification)
        .where(_PROBLEM)
        .options(joinedload(Notification.recipient))
        .order_by(
            rank,
            sa.func.coalesce(Notification.failed_at, Notification.created_at).desc(),
            Notification.id.desc(),
        )
    )
    return paginate(stmt, number)


def failed_count_query() -> sa.ScalarSelect[int]:
    """The number of emails that failed, to read beside other figures."""
    return sa.select(sa.func.count()).select_from(Notification).where(_FAILED).scalar_subquery()


def failed_count() -> int:
    return db.session.scalar(sa.select(failed_count_query())) or 0


def queued_count() -> int:
    """Messages not tried yet: a number that keeps growing means the sender is not running."""
    return db.session.scalar(sa.select(sa.func.count()).where(_QUEUED)) or 0


def get(notification_id: int) -> Notification | None:
    return db.session.get(Notification, notification_id)


def retry(notification: Notification, actor: User) -> None:
    """Give a failed message a fresh set of attempts, at the sender's next round."""
    if notification.sent_at is not None or notification.discarded_at is not None:
        raise Refusal(None, "This message is no longer in the outbox: it was sent or discarded")
    if notification.failed_at is None:
        raise Refusal(None, "This message has not failed: the sender is still trying it")
    audit.record(
        "notification.retried",
        actor=actor,
        target=notification,
        **_details(notification),
    )
    notification.failed_at = None
    notification.attempts = 0
    notification.next_attempt_at = None
    db.session.flush()


def discard(notification: Notification, actor: User) -> None:
    """Never send this message. The row stays (the inbox still shows it)."""
    if notification.sent_at is not None or notification.discarded_at is not None:
        raise Refusal(None, "This message is no longer in the outbox: it was sent or discarded")
    audit.record(
        "notification.discarded",
        actor=actor,
        target=notification,
        **_details(notification),
    )
    notification.discarded_at = clock.now()
    db.session.flush()


def _details(notification: Notification) -> dict[str, Any]:
    return {
        "kind": notification.kind,
        "recipient_id": notification.recipient_id,
        "attempts": notification.attempts,
        "last_error": (notification.last_error or "")[:500],
    }
