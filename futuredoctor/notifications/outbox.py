"""Queueing notifications. The outbox row is unique per (kind, recipient, subject), so
queueing the same thing twice, from a retry, a restart or a second scheduler process, is a
no-op rather than a second email."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.dialects import postgresql, sqlite

from futuredoctor.extensions import db
from futuredoctor.models import Notification, utcnow
from futuredoctor.request_log import request_id


def _insert() -> Any:
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(Notification)


def queue_many(rows: Iterable[dict[str, Any]]) -> int:
    """Queue notifications in one statement; returns how many were new.

    Each row needs ``kind``, ``recipient_id``, ``subject_key``, ``title`` and ``body``
    (``payload`` optional). Rows that already exist are skipped by the database itself.
    """
    now = utcnow()
    defaults = {"payload": {}, "created_at": now, "attempts": 0, "request_id": request_id()}
    values = [{**defaults, **row} for row in rows]
    if not values:
        return 0
    stmt = (
        _insert()
        .values(values)
        .on_conflict_do_nothing(index_elements=["kind", "recipient_id", "subject_key"])
    )
    result = db.session.execute(stmt.execution_options(preserve_rowcount=True))
    return max(cast("sa.CursorResult[Any]", result).rowcount or 0, 0)


def queue(
    kind: str,
    recipient_id: int,
    subject_key: str,
    title: str,
    body: str,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Queue one notification; False if the same one was queued before."""
    return (
        queue_many(
            [
                {
                    "kind": kind,
                    "recipient_id": recipient_id,
                    "subject_key": subject_key,
                    "title": title,
                    "body": body,
                    "payload": payload or {},
                }
            ]
        )
        == 1
    )


def queue_for_recipients(
    kind: str,
    recipient_ids: sa.Select[Any],
    subject_key: str,
    title: str,
    body: str,
    payload: dict[str, Any] | None = None,
) -> int:
    """Queue the same notification for every user id the subquery yields, in one
    ``INSERT ... SELECT`` (no rows travel through Python, so 10,000 recipients cost one
    statement). Recipients already holding this notification are skipped."""
    now = utcnow()
    columns = ["kind", "recipient_id", "subject_key", "title", "body", "payload"]
    columns += ["created_at", "attempts", "request_id"]
    source = recipient_ids.subquery()
    select = sa.select(
        sa.literal(kind, sa.String),
        source.c[0],
        sa.literal(subject_key, sa.String),
        sa.literal(title, sa.String),
        sa.literal(body, sa.Text),
        sa.literal(payload or {}, Notification.payload.type),
        sa.literal(now, Notification.created_at.type),
        sa.literal(0, sa.Integer),
        sa.literal(request_id(), sa.String),
    ).where(sa.true())  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
    stmt = (
        _insert()
        .from_select(columns, select)
        .on_conflict_do_nothing(index_elements=["kind", "recipient_id", "subject_key"])
    )
    result = db.session.execute(stmt.execution_options(preserve_rowcount=True))
    return max(cast("sa.CursorResult[Any]", result).rowcount or 0, 0)


_UNREAD = sa.select(sa.func.count()).where(
    Notification.recipient_id == sa.bindparam("user_id"), Notification.read_at.is_(None)
)


def unread_count(user_id: int) -> int:
    """Unread notifications, for the header (unless the page already read them)."""
    known = g.get("unread_count") if has_request_context() else None
    if known is not None and known[0] == user_id:
        return int(known[1])
    return db.session.scalar(_UNREAD, {"user_id": user_id}) or 0


def remember_unread_count(user_id: int, count: int) -> None:
    """Whoever read the count already (the account check reads it with the account, in
    one statement) passes it on to the header."""
    if has_request_context():
        g.unread_count = (user_id, count)
