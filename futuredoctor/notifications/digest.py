"""The weekly digest: one in-app notification (and email) per participant listing the
released modules they have not finished, and the week's most useful trailblazer network
posts: first those matching what the person follows, then the most useful across the
regions to fill the section. The subject key is the ISO week, so however many times the
job runs, or however many scheduler processes run it, each person gets at most one digest
a week."""

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
    FollowKind,
    Module,
    ModuleVersion,
    NetworkFollow,
    NetworkPost,
    NetworkPostTag,
    Progress,
    Region,
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


def _useful() -> Any:
    return (
        sa.select(sa.func.count())
        .where(UsefulMark.post_id == NetworkPost.id)
        .correlate(NetworkPost)
        .scalar_subquery()
    )


def _this_week(now: datetime) -> list[sa.ColumnElement[bool]]:
    """Visible posts of the past seven days: hidden ones never reach a digest."""
    return [NetworkPost.hidden_at.is_(None), NetworkPost.created_at >= now - timedelta(days=7)]


def network_highlights(now: datetime) -> list[str]:
    """Titles of the past week's most useful visible network posts: the same for every
    digest, so one query however many people get one."""
    stmt = (
        sa.select(NetworkPost.title)
        .where(*_this_week(now))
        .order_by(_useful().desc(), NetworkPost.created_at.desc(), NetworkPost.id.desc())
        .limit(NETWORK_POSTS)
    )
    return list(db.session.scalars(stmt))


Topic = tuple[str, str]  # (follow kind, value)
Ranked = tuple[int, datetime, int, str]  # (useful marks, created, post id, title)


def _top_per_topic(now: datetime, topics: set[Topic]) -> dict[Topic, list[Ranked]]:
    """The week's most useful visible posts for each followed topic, at most
    ``NETWORK_POSTS`` each: three ranked queries (tags, modules, regions), however many
    people follow them."""
    found: dict[Topic, list[Ranked]] = defaultdict(list)
    tag_values = {k: sorted(v for kind, v in topics if kind == k) for k in ("domain", "priority")}
    sources: list[tuple[str | None, Any, Any]] = []
    if tag_values["domain"] or tag_values["priority"]:
        sources.append((None, NetworkPostTag.kind, NetworkPostTag.value))
    if any(kind == FollowKind.MODULE for kind, _ in topics):
        sources.append((FollowKind.MODULE.value, None, Module.slug))
    if any(kind == FollowKind.REGION for kind, _ in topics):
        sources.append((FollowKind.REGION.value, None, Region.code))
    useful = _useful()
    for fixed_kind, kind_column, value_column in sources:
        kind_expr = kind_column if kind_column is not None else sa.literal(fixed_kind)
        partition = [value_column] if kind_column is None else [kind_column, value_column]
        ranked = sa.select(
            kind_expr.label("kind"),
            value_column.label("value"),
            useful.label("useful"),
            NetworkPost.created_at,
            NetworkPost.id,
            NetworkPost.title,
            sa.func.row_number()
            .over(
                partition_by=partition,
                order_by=(useful.desc(), NetworkPost.created_at.desc(), NetworkPost.id.desc()),
            )
            .label("n"),
        ).where(*_this_week(now))
        if fixed_kind is None:
            wanted = sa.or_(
                *(
                    sa.and_(NetworkPostTag.kind == kind, NetworkPostTag.value.in_(values))
                    for kind, values in tag_values.items()
                    if values
                )
            )
            ranked = ranked.join(NetworkPostTag, NetworkPostTag.post_id == NetworkPost.id).where(
                wanted
            )
        else:
            values = sorted(v for kind, v in topics if kind == fixed_kind)
            column = NetworkPost.module_id if fixed_kind == "module" else NetworkPost.region_id
            table = Module if fixed_kind == "module" else Region
            ranked = ranked.join(table, table.id == column).where(value_column.in_(values))
        sub = ranked.subquery()
        stmt = sa.select(
            sub.c.kind, sub.c.value, sub.c.useful, sub.c.created_at, sub.c.id, sub.c.title
        ).where(sub.c.n <= NETWORK_POSTS)
        for kind, value, marks, created, post_id, title in db.session.execute(stmt):
            found[(str(kind), value)].append((marks, created, post_id, title))
    return found


def followed_highlights(now: datetime, recipients: set[int]) -> dict[int, list[str]]:
    """Per recipient who follows anything: titles of the week's most useful visible posts
    matching what they follow (up to ``NETWORK_POSTS``)."""
    stmt = sa.select(NetworkFollow.user_id, NetworkFollow.kind, NetworkFollow.value).order_by(
        NetworkFollow.user_id
    )
    wanted: dict[int, set[Topic]] = defaultdict(set)
    for user_id, kind, value in db.session.execute(stmt.execution_options(yield_per=2000)):
        if user_id in recipients:
            wanted[user_id].add((kind.value, value))
    if not wanted:
        return {}
    top = _top_per_topic(now, set().union(*wanted.values()))
    result = {}
    for user_id, topics in wanted.items():
        posts = {row[2]: row for topic in topics for row in top.get(topic, [])}
        best = sorted(posts.values(), key=lambda r: (-r[0], -r[1].timestamp(), -r[2]))
        result[user_id] = [title for *_, title in best[:NETWORK_POSTS]]
    return result


def network_section(titles: list[str], followed: list[str] | None = None) -> str:
    """The digest's network section: posts matching what the person follows first, then
    the week's most useful across the regions to fill it."""
    followed = followed or []
    others = [t for t in titles if t not in followed][: max(0, NETWORK_POSTS - len(followed))]
    parts = []
    if followed:
        listed = "\n".join(f"- {title}" for title in followed)
        parts.append(f"\n\nFrom what you follow in the trailblazer network this week:\n{listed}")
    if others:
        listed = "\n".join(f"- {title}" for title in others)
        heading = "Also across the regions" if followed else "From the trailblazer network"
        parts.append(f"\n\n{heading} this week:\n{listed}")
    return "".join(parts)


def queue_weekly_digests(now: datetime) -> int:
    """Queue this week's digests; returns how many were new. The caller commits."""
    if not digest_due(now):
        return 0
    key = week_key(now)
    highlights = network_highlights(now)
    unfinished = unfinished_modules(now)
    tailored = followed_highlights(now, set(unfinished))
    rows = []
    for user_id, titles in unfinished.items():
        mine = tailored.get(user_id, [])
        network = mine + [t for t in highlights if t not in mine][: NETWORK_POSTS - len(mine)]
        listed = "\n".join(f"- {title}" for title in titles)
        count = len(titles)
        rows.append(
            {
                "kind": KIND,
                "recipient_id": user_id,
                "subject_key": key,
                "title": f"Your week: {count} module{'s' if count != 1 else ''} to finish",
                "body": f"You have {count} released module{'s' if count != 1 else ''} "
                f"to finish:\n{listed}{network_section(highlights, mine)}",
                "payload": {"week": key, "modules": titles, "network": network},
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
