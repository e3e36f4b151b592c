"""The moderators' queue: posts with open reports (or hidden posts, to restore), scoped to
the moderator's regions (national admins: every post), newest report first.

A report closes when a moderator dismisses it or hides the post; hiding and restoring go
through ``network.set_hidden`` so they are audited the same way from the queue as from
the post's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from flask import abort

from futuredoctor import audit, clock
from futuredoctor.community.network import LIST_OPTIONS, MAX_REASON, PER_PAGE, can_moderate
from futuredoctor.extensions import db
from futuredoctor.models import NetworkPost, PostReport, User
from futuredoctor.paging import Page
from futuredoctor.permissions import Permission, region_ids_in_scope
from futuredoctor.refusals import Refusal

REASONS_SHOWN = 3  # the newest reasons per post; the count says how many there are
REPORTED = "reported"
HIDDEN = "hidden"
VIEWS = (REPORTED, HIDDEN)


@dataclass
class QueueEntry:
    post: NetworkPost
    reports: int = 0
    last_reported_at: Any = None
    reasons: list[str] = field(default_factory=list)


def _in_scope(stmt: sa.Select[Any], user: User) -> sa.Select[Any]:
    scope = region_ids_in_scope(user, Permission.MODERATE_NETWORK)
    return stmt if scope is None else stmt.where(NetworkPost.region_id.in_(scope))


def _open_reports() -> Any:
    return (
        sa.select(
            PostReport.post_id,
            sa.func.count().label("reports"),
            sa.func.max(PostReport.reported_at).label("last"),
        )
        .where(PostReport.closed_at.is_(None))
        .group_by(PostReport.post_id)
        .subquery()
    )


def queue(user: User, view: str, number: int) -> tuple[Page, list[QueueEntry]]:
    """One page of the queue: posts with open reports, or hidden posts."""
    reports = _open_reports()
    stmt = sa.select(NetworkPost, reports.c.reports, reports.c.last)
    if view == HIDDEN:
        stmt = stmt.outerjoin(reports, reports.c.post_id == NetworkPost.id).where(
            NetworkPost.hidden_at.is_not(None)
        )
        order: list[Any] = [NetworkPost.hidden_at.desc(), NetworkPost.id.desc()]
    else:
        stmt = stmt.join(reports, reports.c.post_id == NetworkPost.id)
        order = [reports.c.last.desc(), NetworkPost.id.desc()]
    stmt = _in_scope(stmt, user)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    if number > 1 and (number - 1) * PER_PAGE >= total:
        abort(404)
    rows = db.session.execute(
        stmt.order_by(*order).options(*LIST_OPTIONS).limit(PER_PAGE).offset((number - 1) * PER_PAGE)
    ).all()
    entries = [QueueEntry(post, count or 0, last) for post, count, last in rows]
    _add_reasons(entries)
    return Page([e.post for e in entries], number, PER_PAGE, total), entries


def _add_reasons(entries: Sequence[QueueEntry]) -> None:
    """The newest open reasons for a page of posts, in one query."""
    if not entries:
        return
    ranked = (
        sa.select(
            PostReport.post_id,
            PostReport.reason,
            sa.func.row_number()
            .over(
                partition_by=PostReport.post_id,
                order_by=(PostReport.reported_at.desc(), PostReport.id.desc()),
            )
            .label("n"),
        )
        .where(PostReport.post_id.in_([e.post.id for e in entries]), PostReport.closed_at.is_(None))
        .subquery()
    )
    by_post = {e.post.id: e for e in entries}
    stmt = (
        sa.select(ranked.c.post_id, ranked.c.reason)
        .where(ranked.c.n <= REASONS_SHOWN)
        .order_by(ranked.c.post_id, ranked.c.n)
    )
    for post_id, reason in db.session.execute(stmt):
        by_post[post_id].reasons.append(reason)


def open_count(user: User) -> int:
    """How many posts in the moderator's scope wait in the queue (for their link)."""
    reports = _open_reports()
    stmt = _in_scope(
        sa.select(sa.func.count())
        .select_from(NetworkPost)
        .join(reports, reports.c.post_id == NetworkPost.id),
        user,
    )
    return db.session.scalar(stmt) or 0


def dismiss(moderator: User, post: NetworkPost, reason: str) -> int:
    """Close the post's open reports, leaving it as it is; audited. Returns how many."""
    if not can_moderate(moderator, post):
        raise Refusal(None, "You cannot moderate this post")
    if len(reason) > MAX_REASON:
        raise Refusal("reason", f"Reason must be {MAX_REASON} characters or fewer")
    result = db.session.execute(
        sa.update(PostReport)
        .where(PostReport.post_id == post.id, PostReport.closed_at.is_(None))
        .values(closed_at=clock.now(), closed_by_id=moderator.id)
    )
    closed = max(cast("sa.CursorResult[Any]", result).rowcount or 0, 0)
    if not closed:
        raise Refusal(None, "There are no open reports about this post")
    audit.record(
        "network_reports_dismissed",
        actor=moderator,
        target=post,
        reason=reason.strip(),
        reports=closed,
    )
    return closed
