"""The trailblazer network: who may post, saving posts, the list with its filters and
search, comments, "useful" marks, reports and moderation.

A hidden post is visible only to its author and to moderators (national admins, and
regional leads for posts tagged to their region); to anyone else it does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import defer, joinedload, lazyload, selectinload

from futuredoctor import audit, clock
from futuredoctor.community.profiles import all_priorities, gpc_domains
from futuredoctor.extensions import db
from futuredoctor.models import (
    Module,
    NetworkComment,
    NetworkMember,
    NetworkPost,
    NetworkPostTag,
    PostReport,
    PostTagKind,
    Region,
    Role,
    UsefulMark,
    User,
)
from futuredoctor.paging import Page
from futuredoctor.permissions import (
    Permission,
    has_permission,
    region_id_list,
    region_ids_in_scope,
)
from futuredoctor.refusals import Refusal

PER_PAGE = 20
# Lists count at most this many posts ("more than 1,000"), so counting stays cheap at any
# size: people narrow a long list with the filters rather than page past the 50th page.
COUNT_CAP = 1_000
# A search counts at most this many matches ("more than 200"): counting reads each match,
# and a search whose matches run past ten pages is narrowed with more words, not paged.
SEARCH_COUNT_CAP = 200
MAX_TITLE = 200
MAX_BODY = 10_000  # a short write-up, not a report
MAX_COMMENT = 2_000
MAX_REASON = 500
MAX_SEARCH_WORDS = 10
# The text search configuration of ``NetworkPost.search_vector`` (its trigger, migration
# 0030): English words, reduced to their stems.
_SEARCH_CONFIG: sa.ColumnClause[Any] = sa.literal_column("'pg_catalog.english'::regconfig")
POSTING_ROLES = {Role.LEAD_EDUCATOR, Role.CHAMPION, Role.REGIONAL_LEAD, Role.NATIONAL_ADMIN}


@dataclass(frozen=True)
class PostInput:
    title: str
    body: str
    region_code: str = ""
    module_slug: str = ""
    domains: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PostFilters:
    region: str = ""
    domain: str = ""
    priority: str = ""
    module: str = ""
    text: str = ""


@dataclass(frozen=True)
class PostPage(Page):
    """A page of posts whose total stops at ``COUNT_CAP`` (``capped``: there are more),
    with each post's comments, useful marks and tags (``counts``, by post id)."""

    capped: bool = False
    counts: dict[int, PostCounts] = field(default_factory=dict)


@dataclass(frozen=True)
class PostCounts:
    """What a list shows of a post besides the post itself: its comments and useful
    marks, and its tags (GPC domains, then local priorities, each in the order given)."""

    comments: int = 0
    useful: int = 0
    tags: tuple[str, ...] = ()


# Who may take part -------------------------------------------------------------------


def has_opted_in(user: User) -> bool:
    return db.session.get(NetworkMember, user.id) is not None


def may_post(user: User) -> bool:
    """Educators, champions, regional leads and national admins post; participants once
    they have opted in."""
    return bool(user.roles & POSTING_ROLES) or has_opted_in(user)


def opt_in(user: User) -> None:
    if Role.PARTICIPANT not in user.roles:
        raise Refusal(None, "Only participants need to opt in to post in the network")
    if not has_opted_in(user):
        db.session.add(NetworkMember(user_id=user.id))
        db.session.flush()


def can_moderate(user: User, post: NetworkPost) -> bool:
    if not has_permission(user, Permission.MODERATE_NETWORK):
        return False
    regions = region_ids_in_scope(user, Permission.MODERATE_NETWORK)
    if regions is None:
        return True  # national
    return post.region_id is not None and post.region_id in set(db.session.scalars(regions))


def may_see(user: User, post: NetworkPost) -> bool:
    return post.hidden_at is None or post.author_id == user.id or can_moderate(user, post)


# Writing ----------------------------------------------------------------------------------


def _check(data: PostInput) -> tuple[Region | None, Module | None]:
    if not data.title.strip():
        raise Refusal("title", "Enter a title")
    if len(data.title) > MAX_TITLE:
        raise Refusal("title", f"Title must be {MAX_TITLE} characters or fewer")
    if not data.body.strip():
        raise Refusal("body", "Enter what you learned")
    if len(data.body) > MAX_BODY:
        raise Refusal("body", f"What you learned must be {MAX_BODY:,} characters or fewer")
    if "<script" in data.body.lower():
        raise Refusal("body", "Remove the script: write posts in Markdown, not HTML")
    region = None
    if data.region_code:
        region = db.session.scalar(sa.select(Region).where(Region.code == data.region_code))
        if region is None:
            raise Refusal("region", "Choose a region from the list")
    module = None
    if data.module_slug:
        module = db.session.scalar(sa.select(Module).where(Module.slug == data.module_slug))
        if module is None:
            raise Refusal("module", "Choose a module from the list")
    if not set(data.domains) <= {code for code, _ in gpc_domains()}:
        raise Refusal("domains", "Choose GPC domains from the list")
    if not set(data.priorities) <= set(all_priorities()):
        raise Refusal("priorities", "Choose local health priorities from the list")
    return region, module


def _apply(post: NetworkPost, data: PostInput) -> None:
    region, module = _check(data)
    post.title = data.title.strip()
    post.body = data.body
    post.region = region
    post.module = module
    wanted = [
        *((PostTagKind.DOMAIN, v) for v in dict.fromkeys(data.domains)),
        *((PostTagKind.PRIORITY, v) for v in dict.fromkeys(data.priorities)),
    ]
    kept = {(t.kind, t.value): t for t in post.tags}
    post.tags = [kept.get(p) or NetworkPostTag(kind=p[0], value=p[1]) for p in wanted]


def create_post(author: User, data: PostInput) -> NetworkPost:
    if not may_post(author):
        raise Refusal(None, "Opt in to the network before you post")
    post = NetworkPost(author=author, tags=[])
    _apply(post, data)
    db.session.add(post)
    db.session.flush()
    return post


def update_post(author: User, post: NetworkPost, data: PostInput) -> NetworkPost:
    if post.author_id != author.id:
        raise Refusal(None, "Only the author can change a post")
    _apply(post, data)
    db.session.flush()
    return post


def delete_post(author: User, post: NetworkPost) -> None:
    if post.author_id != author.id:
        raise Refusal(None, "Only the author can delete a post")
    # Explicit, not left to ON DELETE CASCADE: SQLite does not enforce foreign keys here.
    for model in (NetworkComment, UsefulMark, PostReport):
        db.session.execute(sa.delete(model).where(model.post_id == post.id))
    db.session.delete(post)
    db.session.flush()


# Reading ----------------------------------------------------------------------------------

# What a list of posts shows: author and region joined into the page query. The module's
# title comes from the cached content choices (``module_titles``), and the author's role
# grants are not needed for a name, so neither costs a query per page. A list shows no
# write-up, and of the author only the name, so neither is read; the tags come with the
# comment and useful counts (``counts``).
LIST_OPTIONS = (
    defer(NetworkPost.body),
    lazyload(NetworkPost.tags),  # read with the counts (``counts``)
    joinedload(NetworkPost.author)
    .load_only(User.given_name, User.family_name)
    .lazyload(User.grants),
    joinedload(NetworkPost.region),
)


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """Posts ``user`` may see: visible ones, their own, and hidden ones they moderate."""
    shown = [NetworkPost.hidden_at.is_(None), NetworkPost.author_id == user.id]
    if has_permission(user, Permission.MODERATE_NETWORK):
        scope = region_ids_in_scope(user, Permission.MODERATE_NETWORK)
        shown.append(sa.true() if scope is None else NetworkPost.region_id.in_(scope))
    return sa.or_(*shown)


def _tagged(kind: PostTagKind, value: str) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        NetworkPostTag.post_id == NetworkPost.id,
        NetworkPostTag.kind == kind,
        NetworkPostTag.value == value,
    )


def search_words(text: str) -> list[str]:
    """The words searched for: the first ``MAX_SEARCH_WORDS`` separated by spaces."""
    return text.split()[:MAX_SEARCH_WORDS]


def matches_words(text: str) -> sa.ColumnElement[bool]:
    """Posts holding every word of ``text`` in the title or write-up.

    On PostgreSQL the words are matched in their English forms ("huddle" finds "huddles"
    and "huddled"), through the indexed ``search_vector``: with the substring match this
    replaces, every common word meant reading every post that holds it. A search with no
    words left to match that way (only common words such as "the", or no letters or
    digits) reads the text as SQLite does: each word anywhere in the title or write-up."""
    words = search_words(text)
    if db.session.get_bind().dialect.name == "postgresql":
        query = _words_query(" ".join(words))
        if query:
            # Written into the statement, so the plan is chosen for these words: a word
            # in most posts is best found by walking the newest, a rare one by the index.
            words_query = sa.bindparam("words_query", query, sa.Text, literal_execute=True)
            return NetworkPost.search_vector.op("@@")(sa.cast(words_query, postgresql.TSQUERY))
    return sa.and_(*(NetworkPost.search_text().icontains(word, autoescape=True) for word in words))


@lru_cache(maxsize=1024)
def _words_query(words: str) -> str:
    """PostgreSQL's reading of ``words`` as a query of English word stems ("" when none is
    left, e.g. only "the"). It depends on nothing but the words and the server's fixed
    configuration, so each process asks once per distinct search, not at every page."""
    parsed = sa.cast(sa.func.plainto_tsquery(_SEARCH_CONFIG, words), sa.Text)
    return db.session.scalar(sa.select(parsed)) or ""


def posts(user: User, filters: PostFilters, number: int) -> PostPage:
    """One page of the posts ``user`` may see, newest first."""
    cap = SEARCH_COUNT_CAP if filters.text.strip() else COUNT_CAP
    return capped_page(posts_query(user, filters), number, cap)


def capped_page(stmt: sa.Select[tuple[NetworkPost]], number: int, cap: int = COUNT_CAP) -> PostPage:
    """One page of ``stmt`` (ORDER BY included) in one statement: the page's posts, each
    with its comments, useful marks and tags (per post, after the page is cut: PostgreSQL
    evaluates them for its 20 rows only), and the number of matches counted up to
    ``cap + 1`` (evaluated once: it depends on no row). As a statement of its own, the
    count planned and ran a search's match a second time."""
    if (number - 1) * PER_PAGE >= cap:
        abort(404)
    rows = db.session.execute(page_query(stmt, number, cap)).all()
    found = rows[0][-1] if rows else 0
    shown = min(found, cap)
    if number > 1 and (number - 1) * PER_PAGE >= shown:
        abort(404)
    counts = {
        post.id: PostCounts(comments, useful, _tag_values(_split_tags(tags)))
        for post, comments, useful, tags, _ in rows
    }
    items = [row[0] for row in rows]
    return PostPage(items, number, PER_PAGE, shown, capped=found > cap, counts=counts)


def page_query(stmt: sa.Select[tuple[NetworkPost]], number: int, cap: int) -> sa.Select[Any]:
    """The statement ``capped_page`` runs: page ``number`` of ``stmt`` with each post's
    counts and tags, and the matches counted up to ``cap + 1`` as the last column."""
    counted = stmt.order_by(None).with_only_columns(NetworkPost.id).limit(cap + 1).subquery()
    total = sa.select(sa.func.count()).select_from(counted).scalar_subquery()
    offset = (number - 1) * PER_PAGE
    return with_counts(stmt).add_columns(total).limit(PER_PAGE).offset(offset)


def posts_query(user: User, filters: PostFilters) -> sa.Select[tuple[NetworkPost]]:
    """The posts ``user`` may see matching ``filters``, newest first (for a page)."""
    stmt = sa.select(NetworkPost).where(visible_to(user))
    if filters.region:
        stmt = stmt.join(Region, NetworkPost.region_id == Region.id).where(
            Region.code == filters.region
        )
    if filters.module:
        stmt = stmt.join(Module, NetworkPost.module_id == Module.id).where(
            Module.slug == filters.module
        )
    if filters.domain:
        stmt = stmt.where(_tagged(PostTagKind.DOMAIN, filters.domain))
    if filters.priority:
        stmt = stmt.where(_tagged(PostTagKind.PRIORITY, filters.priority))
    if filters.text.strip():
        stmt = stmt.where(matches_words(filters.text))
    return stmt.options(*LIST_OPTIONS).order_by(
        NetworkPost.created_at.desc(), NetworkPost.id.desc()
    )


@dataclass(frozen=True)
class PostLink:
    """A post as the module and region pages list it: a link, its author, region, date and
    whether a moderator has hidden it (only moderators see hidden posts)."""

    id: int
    title: str
    author_name: str
    region_name: str | None
    created_at: datetime
    hidden_at: datetime | None = None


def _seen_by(user: User) -> tuple[str, dict[str, Any]]:
    """``visible_to`` as a shape (everyone's posts; or visible ones, one's own and hidden
    ones of some regions; or visible ones and one's own) and its bound values."""
    params: dict[str, Any] = {"viewer_id": user.id}
    if not has_permission(user, Permission.MODERATE_NETWORK):
        return "own", params
    regions = region_id_list(user, Permission.MODERATE_NETWORK)
    if regions is None:
        return "all", params
    params["moderated"] = regions
    return "regions", params


@lru_cache(maxsize=16)
def _links_statement(seen: str, about: str, limit: int) -> sa.Select[Any]:
    """``post_links``' statement, built once per shape with its values bound: the module
    and region pages run it on every visit."""
    shown: list[sa.ColumnElement[bool]] = [
        NetworkPost.hidden_at.is_(None),
        NetworkPost.author_id == sa.bindparam("viewer_id"),
    ]
    if seen == "all":
        shown.append(sa.true())
    elif seen == "regions":
        shown.append(NetworkPost.region_id.in_(sa.bindparam("moderated", expanding=True)))
    column = {"module": NetworkPost.module_id, "region": NetworkPost.region_id}[about]
    return (
        sa.select(
            NetworkPost.id,
            NetworkPost.title,
            User.given_name,
            User.family_name,
            Region.name,
            NetworkPost.created_at,
            NetworkPost.hidden_at,
        )
        .join(User, User.id == NetworkPost.author_id)
        .outerjoin(Region, Region.id == NetworkPost.region_id)
        .where(sa.or_(*shown), column == sa.bindparam("about"))
        .order_by(NetworkPost.created_at.desc(), NetworkPost.id.desc())
        .limit(limit)
    )


def post_links(user: User, about: str, about_id: int, limit: int = 5) -> list[PostLink]:
    """The newest posts about a module or a region (``about``) that ``user`` may see: one
    query for just what a short list shows, however many posts there are (loading whole
    posts would also load their tags and their authors' grants)."""
    seen, params = _seen_by(user)
    stmt = _links_statement(seen, about, limit)
    return [
        PostLink(post_id, title, f"{given} {family}", region, created, hidden)
        for post_id, title, given, family, region, created, hidden in db.session.execute(
            stmt, {**params, "about": about_id}
        )
    ]


def posts_about(user: User, module: Module, limit: int = 5) -> list[PostLink]:
    """The newest posts about ``module`` that ``user`` may see, for the module page."""
    return post_links(user, "module", module.id, limit)


# A page's counts and tags, one row per post: the tags as "kind<US>id<US>value" items
# joined by <RS> (control characters no tag value can hold), sorted by ``_tag_values``.
_ITEM, _SEP = "\x1f", "\x1e"
_COUNT_COLUMNS = (
    sa.select(sa.func.count())
    .where(NetworkComment.post_id == NetworkPost.id)
    .scalar_subquery()
    .label("comments"),
    sa.select(sa.func.count())
    .where(UsefulMark.post_id == NetworkPost.id)
    .scalar_subquery()
    .label("useful"),
    sa.select(
        sa.func.aggregate_strings(
            sa.cast(NetworkPostTag.kind, sa.String)
            + _ITEM
            + sa.cast(NetworkPostTag.id, sa.String)
            + _ITEM
            + NetworkPostTag.value,
            _SEP,
        )
    )
    .where(NetworkPostTag.post_id == NetworkPost.id)
    .scalar_subquery()
    .label("tags"),
)


def with_counts(stmt: sa.Select[tuple[NetworkPost]]) -> sa.Select[Any]:
    """``stmt`` with each post's comment and useful counts and its tags (``_COUNT_COLUMNS``)."""
    return stmt.add_columns(*_COUNT_COLUMNS)


def _split_tags(joined: str | None) -> list[tuple[str, int, str]]:
    items = [item.split(_ITEM, 2) for item in joined.split(_SEP)] if joined else []
    return [(kind, int(tag_id), value) for kind, tag_id, value in items]


def _tag_values(tags: list[tuple[str, int, str]]) -> tuple[str, ...]:
    """GPC domains first, then priorities, each kind in the order the tags were added."""
    order = {PostTagKind.DOMAIN.value: 0, PostTagKind.PRIORITY.value: 1}
    return tuple(value for _, _, value in sorted(tags, key=lambda t: (order[t[0]], t[1])))


def comments(post: NetworkPost) -> list[NetworkComment]:
    stmt = (
        sa.select(NetworkComment)
        .where(NetworkComment.post_id == post.id)
        .options(selectinload(NetworkComment.author))
        .order_by(NetworkComment.created_at, NetworkComment.id)
    )
    return list(db.session.scalars(stmt))


def marked_useful(user: User, post: NetworkPost) -> bool:
    return db.session.get(UsefulMark, (post.id, user.id)) is not None


def useful_marks(user: User, post: NetworkPost) -> tuple[int, bool]:
    """How many found ``post`` useful, and whether ``user`` is one of them: one query for
    what the post's page shows (its count and the mark-or-undo button)."""
    mine = sa.func.coalesce(sa.func.sum(sa.case((UsefulMark.user_id == user.id, 1), else_=0)), 0)
    found = db.session.execute(
        sa.select(sa.func.count(), mine).where(UsefulMark.post_id == post.id)
    ).one()
    return found[0], bool(found[1])


# Taking part ------------------------------------------------------------------------------


def _required_text(field: str, text: str, limit: int, empty: str, noun: str) -> str:
    """The text stripped, or a refusal naming ``field`` when it is blank or too long."""
    if not text.strip():
        raise Refusal(field, empty)
    if len(text) > limit:
        raise Refusal(field, f"{noun} must be {limit:,} characters or fewer")
    return text.strip()


def add_comment(user: User, post: NetworkPost, body: str) -> NetworkComment:
    text = _required_text("body", body, MAX_COMMENT, "Enter your comment", "Comment")
    comment = NetworkComment(post_id=post.id, author_id=user.id, body=text)
    db.session.add(comment)
    db.session.flush()
    return comment


def mark_useful(user: User, post: NetworkPost) -> None:
    """Idempotent: a second click (or two at once) leaves one mark."""
    if marked_useful(user, post):
        return
    try:
        with db.session.begin_nested():
            db.session.add(UsefulMark(post_id=post.id, user_id=user.id))
    except sa.exc.IntegrityError:
        pass  # the other click won


def unmark_useful(user: User, post: NetworkPost) -> None:
    db.session.execute(
        sa.delete(UsefulMark).where(UsefulMark.post_id == post.id, UsefulMark.user_id == user.id)
    )


def report(user: User, post: NetworkPost, reason: str) -> PostReport:
    text = _required_text(
        "reason", reason, MAX_REASON, "Enter why this post should be looked at", "Reason"
    )
    found = PostReport(post_id=post.id, reporter_id=user.id, reason=text)
    db.session.add(found)
    db.session.flush()
    return found


def report_count(post: NetworkPost) -> int:
    stmt = sa.select(sa.func.count()).select_from(PostReport).where(PostReport.post_id == post.id)
    return db.session.scalar(stmt) or 0


def set_hidden(moderator: User, post: NetworkPost, hidden: bool, reason: str) -> None:
    """Hide or restore a post, with the reason, audited."""
    if not can_moderate(moderator, post):
        raise Refusal(None, "You cannot moderate this post")
    if not reason.strip():
        raise Refusal("reason", "Enter the reason")
    if len(reason) > MAX_REASON:
        raise Refusal("reason", f"Reason must be {MAX_REASON} characters or fewer")
    post.hidden_at = clock.now() if hidden else None
    post.hidden_reason = reason.strip() if hidden else ""
    if hidden:  # the reports were acted on: they leave the moderators' queue
        db.session.execute(
            sa.update(PostReport)
            .where(PostReport.post_id == post.id, PostReport.closed_at.is_(None))
            .values(closed_at=clock.now(), closed_by_id=moderator.id)
        )
    audit.record(
        "network_post_hidden" if hidden else "network_post_restored",
        actor=moderator,
        target=post,
        reason=reason.strip(),
    )
