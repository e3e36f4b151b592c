"""Trailblazer network posts for tests, and the route-permission walk's sample."""

from __future__ import annotations

from typing import Any

from futuredoctor.community import network
from futuredoctor.extensions import db
from futuredoctor.models import NetworkComment, NetworkPost, PostReport, Role, UsefulMark, User
from tests.community.champions import region
from tests.factories import make_user


def make_post(author: User | None = None, **fields: Any) -> NetworkPost:
    """A visible post by ``author`` (a new London lead-educator-free champion if none)."""
    if author is None:
        author = make_user(roles=[(Role.CHAMPION, region(fields.get("region_code", "LON")))])
    data = network.PostInput(
        title=fields.pop("title", "Huddles before the homeless health clinic"),
        body=fields.pop("body", "A **ten-minute** huddle made the clinic calmer."),
        region_code=fields.pop("region_code", "LON"),
        module_slug=fields.pop("module_slug", ""),
        domains=fields.pop("domains", ["GPC5"]),
        priorities=fields.pop("priorities", []),
    )
    assert not fields, fields
    return network.create_post(author, data)


def route_samples() -> dict[str, int]:
    """A visible London post, reported once: every signed-in role may read it; London's
    regional lead (and national admins) may moderate it and find it in their queue; only
    its author may change it."""
    post = make_post()
    db.session.add(PostReport(post_id=post.id, reporter_id=post.author_id, reason="Sample"))
    db.session.commit()
    return {"network-post": post.id}


def grow_network(people: list[int], n: int) -> None:
    """``n`` more posts, each with a comment, a useful mark and two reports, for the
    query-growth test."""
    for _ in range(n):
        post = make_post(domains=["GPC5", "GPC6"])
        db.session.add(NetworkComment(post_id=post.id, author_id=post.author_id, body="Growth"))
        for reason in ("Growth report", "Another growth report"):
            db.session.add(PostReport(post_id=post.id, reporter_id=post.author_id, reason=reason))
        for person in people:
            db.session.add(UsefulMark(post_id=post.id, user_id=person))
    db.session.flush()
