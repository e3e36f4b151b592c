"""A person's own notifications: the inbox, marking read and their preferences."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import Notification, User, utcnow
from futuredoctor.paging import Page, paginate


def inbox(user: User, number: int) -> Page:
    stmt = (
        sa.select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(stmt, number, per_page=20)


def mark_read(user: User, notification_id: int) -> bool:
    """Mark one of the user's own notifications read; False if it is not theirs (or does
    not exist) or was read already, so a repeated click changes nothing."""
    stmt = (
        sa.update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.recipient_id == user.id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return (cast("sa.CursorResult[Any]", db.session.execute(stmt)).rowcount or 0) > 0


def mark_all_read(user: User) -> int:
    stmt = (
        sa.update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return cast("sa.CursorResult[Any]", db.session.execute(stmt)).rowcount or 0


def set_preferences(user: User, email: bool, digest: bool) -> bool:
    """Store the choices; True if anything changed."""
    changed = user.email_notifications != email or user.digest_opt_out != (not digest)
    user.email_notifications = email
    user.digest_opt_out = not digest
    db.session.flush()
    return changed
