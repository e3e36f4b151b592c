"""The weekly digest: one in-app notification (and email) per participant listing the
released modules they have not finished, and the week's most useful trailblazer network
posts. The subject key is the ISO week, so however many times the job runs, or however many
scheduler processes run it, each person gets at most one digest a week."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import (
    Enrolment,
    EnrolmentStatus,
    ModuleVersion,
    NetworkPost,
    Progress,
    Release,
    UsefulMark,
    User,
)
from futuredoctor.notifications.outbox import queue_many
from futuredoctor.timezones import to_local

KIND = "weekly_digest"
SEND_FROM = time(8, 0)  # Monday 08:00 UK time; later in the week it catches up
CHUNK = 500
NETWORK_POSTS = 3  # "From the network": the week's most useful posts

log = logging.getLogger(__name__)


def week_key(now: datetime) -> str:
    year, week, _ = to_local(now).isocalendar()
    return f"{year}-W{week:02d}"


def digest_due(now: datetime) -> bool:
    local = to_local(now)
    return local.weekday() > 0 or local.time() >= SEND_FROM


def unfinished_modules(now: datetime) -> dict[int, list[str]]:
    """Titles of released, unfinished modules per participant who wants a digest. The
    newest released version of a module counts; one query, streamed."""
    stmt = (
        sa.select(
            Enrolment.user_id,
            Release.cohort_id,
            ModuleVersion.module_id,
            ModuleVersion.number,
            ModuleVersion.title,
            Progress.completed_at,
        )
        .join(Release, Release.cohort_id == Enrolment.cohort_id)
        .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(
            Progress,
            sa.and_(Progress.enrolment_id == Enrolment.id, Progress.release_id == Release.id),
        )
        .where(
            Enrolment.status == EnrolmentStatus.ENROLLED,
            Release.is_released,
            User.digest_opt_out.is_(False),
            User.is_enabled.is_(True),
        )
        .order_by(Enrolment.user_id)
        .execution_options(yield_per=2000)
    )
    newest: dict[int, dict[tuple[int, int], tuple[int, str, bool]]] = defaultdict(dict)
    for user_id, cohort_id, module_id, number, title, completed_at in db.session.execute(stmt):
        current = newest[user_id].get((cohort_id, module_id))
        if current is None or number > current[0]:
            newest[user_id][(cohort_id, module_id)] = (number, title, completed_at is not None)
    return {
        user_id: sorted({title for _, title, done in modules.values() if not done})
        for user_id, modules in newest.items()
        if any(not done for _, _, done in modules.values())
    }


def network_highlights(now: datetime) -> list[str]:
    """Titles of the past week's most useful visible network posts: the same for every
    digest, so one query however many people get one."""
    useful = (
        sa.select(sa.func.count())
        .where(UsefulMark.post_id == NetworkPost.id)
        .correlate(NetworkPost)
        .scalar_subquery()
    )
    stmt = (
        sa.select(NetworkPost.title)
        .where(NetworkPost.hidden_at.is_(None), NetworkPost.created_at >= now - timedelta(days=7))
        .order_by(useful.desc(), NetworkPost.created_at.desc(), NetworkPost.id.desc())
        .limit(NETWORK_POSTS)
    )
    return list(db.session.scalars(stmt))


def network_section(titles: list[str]) -> str:
    if not titles:
        return ""
    listed = "\n".join(f"- {title}" for title in titles)
    return f"\n\nFrom the trailblazer network this week:\n{listed}"


def queue_weekly_digests(now: datetime) -> int:
    """Queue this week's digests; returns how many were new. The caller commits."""
    if not digest_due(now):
        return 0
    key = week_key(now)
    highlights = network_highlights(now)
    rows = []
    for user_id, titles in unfinished_modules(now).items():
        listed = "\n".join(f"- {title}" for title in titles)
        count = len(titles)
        rows.append(
            {
                "kind": KIND,
                "recipient_id": user_id,
                "subject_key": key,
                "title": f"Your week: {count} module{'s' if count != 1 else ''} to finish",
                "body": f"You have {count} released module{'s' if count != 1 else ''} "
                f"to finish:\n{listed}{network_section(highlights)}",
                "payload": {"week": key, "modules": titles, "network": highlights},
            }
        )
    queued = 0
    for start in range(0, len(rows), CHUNK):
        queued += _queue_isolated(rows[start : start + CHUNK])
    return queued


def _queue_isolated(rows: list[dict[str, Any]]) -> int:
    """Queue a chunk in one statement; if that fails, row by row, so one row the database
    refuses is logged with its reason and the rest are still queued."""
    try:
        with db.session.begin_nested():
            return queue_many(rows)
    except Exception:
        log.warning("A digest chunk failed; queueing its %s rows one by one", len(rows))
    queued = 0
    for row in rows:
        try:
            with db.session.begin_nested():
                queued += queue_many([row])
        except Exception:
            log.exception("Digest for user %s not queued", row["recipient_id"])
    return queued
