"""Following in the trailblazer network: a person follows a GPC domain, a local health
priority, a module or a region, and sees posts matching any of them on their Following
page, their champion home and in their weekly digest.

A follow stores the value people see and filter by (a domain code, the priority as the
region writes it, a module slug, a region code), so matching posts is one indexed query
from the follower's handful of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import lazyload, selectinload

from futuredoctor.community import network
from futuredoctor.community.profiles import all_priorities, gpc_domains
from futuredoctor.content.choices import content_choices
from futuredoctor.extensions import db
from futuredoctor.models import (
    ChampionProfile,
    FollowKind,
    Module,
    NetworkFollow,
    NetworkPost,
    NetworkPostTag,
    PostTagKind,
    Region,
    User,
)
from futuredoctor.refusals import Refusal
from futuredoctor.request_memo import request_memo

MAX_FOLLOWS = 50  # far more than anyone needs; keeps the feed's query small
KIND_LABELS = {
    FollowKind.DOMAIN: "GPC domain",
    FollowKind.PRIORITY: "Local health priority",
    FollowKind.MODULE: "Module",
    FollowKind.REGION: "Region",
}


@dataclass
class Topics:
    """What to match posts on, by kind: domain codes, priorities, module slugs, region
    codes."""

    domains: set[str] = field(default_factory=set)
    priorities: set[str] = field(default_factory=set)
    modules: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)

    def add(self, kind: FollowKind, value: str) -> None:
        {
            FollowKind.DOMAIN: self.domains,
            FollowKind.PRIORITY: self.priorities,
            FollowKind.MODULE: self.modules,
            FollowKind.REGION: self.regions,
        }[kind].add(value)

    def __bool__(self) -> bool:
        return bool(self.domains or self.priorities or self.modules or self.regions)


@dataclass(frozen=True)
class Followed:
    kind: FollowKind
    value: str
    label: str


def parse_kind(raw: str) -> FollowKind:
    try:
        return FollowKind(raw)
    except ValueError:
        raise Refusal("kind", "Choose what to follow from the list") from None


def label_for(kind: FollowKind, value: str) -> str | None:
    """What people see for a followable value, or None if there is no such thing."""
    if kind is FollowKind.DOMAIN:
        titles = dict(gpc_domains())
        return f"{value}: {titles[value]}" if value in titles else None
    if kind is FollowKind.PRIORITY:
        return value if value in all_priorities() else None
    if kind is FollowKind.REGION:
        return db.session.scalar(sa.select(Region.name).where(Region.code == value))
    module = db.session.scalar(
        sa.select(Module).where(Module.slug == value).options(selectinload(Module.versions))
    )
    return module.latest.title if module is not None and module.versions else None


_FOLLOWS = (
    sa.select(NetworkFollow)
    .where(NetworkFollow.user_id == sa.bindparam("user_id"))
    .order_by(NetworkFollow.kind, NetworkFollow.value)
)


def follows(user: User) -> list[NetworkFollow]:
    """What the person follows: read once for a page that shows it and its feed (a
    request that changes things reads it afresh)."""
    reading = has_request_context() and request.method == "GET"
    known: dict[int, list[NetworkFollow]] = request_memo("follows") if reading else {}
    if user.id not in known:
        known[user.id] = list(db.session.scalars(_FOLLOWS, {"user_id": user.id}))
    return known[user.id]


def followed(user: User) -> list[Followed]:
    """What the person follows, with labels: one query however many they follow (the
    regions' names and modules' titles come from the kept content choices)."""
    rows = follows(user)
    choices = content_choices()
    regions = {region.code: region.name for region in choices.regions}
    modules = dict(choices.modules)
    domains = dict(gpc_domains())
    labels = {
        FollowKind.DOMAIN: lambda v: f"{v}: {domains.get(v, v)}",
        FollowKind.PRIORITY: lambda v: v,
        FollowKind.MODULE: lambda v: modules.get(v, v),
        FollowKind.REGION: lambda v: regions.get(v, v),
    }
    return [Followed(f.kind, f.value, labels[f.kind](f.value)) for f in rows]


def following_set(user: User) -> set[tuple[str, str]]:
    """(kind, value) of everything ``user`` follows, for showing Follow or Unfollow."""
    return {(f.kind.value, f.value) for f in follows(user)}


def post_topics(post: NetworkPost) -> list[tuple[str, str, str]]:
    """(kind, value, label) of what a post is tagged with, about or in."""
    titles = dict(gpc_domains())
    found = [(FollowKind.DOMAIN.value, d, f"{d}: {titles.get(d, d)}") for d in post.domains]
    found += [(FollowKind.PRIORITY.value, p, p) for p in post.priorities]
    if post.module is not None:
        found.append((FollowKind.MODULE.value, post.module.slug, post.module.latest.title))
    if post.region is not None:
        found.append((FollowKind.REGION.value, post.region.code, post.region.name))
    return found


def is_following(user: User, kind: FollowKind, value: str) -> bool:
    stmt = sa.select(NetworkFollow.id).where(
        NetworkFollow.user_id == user.id, NetworkFollow.kind == kind, NetworkFollow.value == value
    )
    return db.session.scalar(stmt) is not None


def follow(user: User, kind: FollowKind, value: str) -> str:
    """Follow ``value``; idempotent (a double click or two tabs leave one row). Returns
    its label."""
    label = label_for(kind, value)
    if label is None:
        raise Refusal("value", f"Choose a {KIND_LABELS[kind].lower()} from the list")
    if is_following(user, kind, value):
        return label
    count = sa.select(sa.func.count()).where(NetworkFollow.user_id == user.id)
    if (db.session.scalar(count) or 0) >= MAX_FOLLOWS:
        raise Refusal(None, f"You can follow up to {MAX_FOLLOWS} things. Unfollow one first.")
    try:
        with db.session.begin_nested():
            db.session.add(NetworkFollow(user_id=user.id, kind=kind, value=value))
    except sa.exc.IntegrityError:
        pass  # the other click won
    return label


def unfollow(user: User, kind: FollowKind, value: str) -> None:
    db.session.execute(
        sa.delete(NetworkFollow).where(
            NetworkFollow.user_id == user.id,
            NetworkFollow.kind == kind,
            NetworkFollow.value == value,
        )
    )


def topics_of(rows: Iterable[tuple[FollowKind, str]]) -> Topics:
    found = Topics()
    for kind, value in rows:
        found.add(kind, value)
    return found


def user_topics(user: User) -> Topics:
    return topics_of((f.kind, f.value) for f in follows(user))


def matching(topics: Topics) -> sa.ColumnElement[bool]:
    """Posts tagged with, about, or in anything in ``topics`` (false for none)."""
    conditions: list[sa.ColumnElement[bool]] = []
    for kind, values in (
        (PostTagKind.DOMAIN, topics.domains),
        (PostTagKind.PRIORITY, topics.priorities),
    ):
        if values:
            conditions.append(
                NetworkPost.id.in_(
                    sa.select(NetworkPostTag.post_id).where(
                        NetworkPostTag.kind == kind, NetworkPostTag.value.in_(sorted(values))
                    )
                )
            )
    if topics.modules:
        conditions.append(
            NetworkPost.module_id.in_(
                sa.select(Module.id).where(Module.slug.in_(sorted(topics.modules)))
            )
        )
    if topics.regions:
        conditions.append(
            NetworkPost.region_id.in_(
                sa.select(Region.id).where(Region.code.in_(sorted(topics.regions)))
            )
        )
    return sa.or_(*conditions) if conditions else sa.false()


def _listed(stmt: sa.Select[tuple[NetworkPost]]) -> sa.Select[tuple[NetworkPost]]:
    return stmt.options(*network.LIST_OPTIONS).order_by(
        NetworkPost.created_at.desc(), NetworkPost.id.desc()
    )


def feed(user: User, number: int) -> network.PostPage:
    """One page of the posts matching what ``user`` follows that they may see, newest
    first."""
    topics = user_topics(user)
    stmt = sa.select(NetworkPost).where(network.visible_to(user), matching(topics))
    return network.capped_page(_listed(stmt), number)


def recent_matching(user: User, topics: Topics, limit: int = 5) -> list[NetworkPost]:
    """The newest posts matching ``topics`` that ``user`` may see, for a home page."""
    if not topics:
        return []
    stmt = sa.select(NetworkPost).where(network.visible_to(user), matching(topics))
    return list(db.session.scalars(_listed(stmt).options(lazyload(NetworkPost.tags)).limit(limit)))


def interests(user: User, profile: ChampionProfile | None) -> Topics:
    """A champion's interests: their profile's GPC domains and priorities, and follows."""
    topics = user_topics(user)
    if profile is not None:
        topics.domains |= set(profile.domains)
        topics.priorities |= set(profile.priorities)
    return topics


def recent_in_region(user: User, region: Region, limit: int = 5) -> list[network.PostLink]:
    """The newest posts tagged to ``region`` that ``user`` may see, for its page."""
    return network.post_links(user, "region", region.id, limit)
