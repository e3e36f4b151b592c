"""Following in the trailblazer network: follow and unfollow (bad input changes nothing),
the Following page and its feed, the digest's tailored network section, and network
activity on the champion home and the region page."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from futuredoctor import clock
from futuredoctor.community import follows, network
from futuredoctor.extensions import db
from futuredoctor.models import (
    ChampionInterest,
    ChampionProfile,
    FollowKind,
    InterestKind,
    NetworkFollow,
    Notification,
    Role,
    UsefulMark,
)
from futuredoctor.notifications import digest
from futuredoctor.timezones import local_zone, to_local
from tests.community.champions import region
from tests.community.network import make_post
from tests.factories import current_cohorts, make_enrolment, make_module, make_release, make_user
from tests.helpers import login


def _follows() -> list[tuple[str, str]]:
    rows = db.session.execute(sa.select(NetworkFollow.kind, NetworkFollow.value)).all()
    return sorted((kind.value, value) for kind, value in rows)


def _follow(client: FlaskClient, kind: str, value: str, **extra: str) -> Any:
    return client.post(
        "/network/follow", data={"kind": kind, "value": value, "next": "/network", **extra}
    )


def test_following_a_filter_from_the_list_fills_the_following_page(
    app: Any, client: FlaskClient, frozen_now: Any, time_machine: Any
) -> None:
    reader = make_user(roles=[(Role.LEAD_EDUCATOR, None)])
    coastal = make_post(title="Coastal outreach", region_code="SW", domains=["GPC6"])
    time_machine.shift(60)
    make_post(title="London huddles", region_code="LON", domains=["GPC5"])
    hidden = make_post(title="A hidden SW post", region_code="SW", domains=["GPC6"])
    hidden.hidden_at = clock.now()
    db.session.commit()
    login(client, reader)
    listed = client.get("/network?region=SW").get_data(as_text=True)
    assert "Follow what you filtered by" in listed and "South West" in listed
    assert "Posts will appear here" in client.get("/network/following").get_data(as_text=True)

    response = _follow(client, "region", "SW", next="/network?region=SW")
    assert response.status_code == 302 and response.location.endswith("/network?region=SW")
    assert _follow(client, "region", "SW").status_code == 302  # a double click: one row
    assert _follows() == [("region", "SW")]
    page = client.get("/network/following").get_data(as_text=True)
    assert "Coastal outreach" in page and "London huddles" not in page
    assert "A hidden SW post" not in page and "1 post from what you follow" in page
    assert "Unfollow" in client.get("/network?region=SW").get_data(as_text=True)

    _follow(client, "domain", "GPC5", next=f"/network/{coastal.id}")
    assert "London huddles" in client.get("/network/following").get_data(as_text=True)
    _follow(client, "region", "SW", undo="1")
    assert _follows() == [("domain", "GPC5")]


def test_following_from_a_post_covers_its_module_priority_and_region(
    app: Any, client: FlaskClient
) -> None:
    module = make_module(title="Shared decisions")
    priority = network.all_priorities()[0]
    post = make_post(module_slug=module.slug, priorities=[priority], domains=[])
    reader = make_user(roles=[(Role.CHAMPION, region("SW"))])
    db.session.commit()
    login(client, reader)
    page = client.get(f"/network/{post.id}").get_data(as_text=True)
    assert "Follow what this post is about" in page and "Shared decisions" in page
    for kind, value in (("module", module.slug), ("priority", priority), ("region", "LON")):
        assert _follow(client, kind, value, next=f"/network/{post.id}").status_code == 302
    assert len(_follows()) == 3
    labels = [f.label for f in follows.followed(reader)]
    assert "Shared decisions" in labels and "London" in labels and priority in labels


def test_bad_follows_change_nothing(app: Any, client: FlaskClient) -> None:
    reader = make_user(roles=[(Role.PARTICIPANT, None)])
    db.session.commit()
    login(client, reader)
    for kind, value in (
        ("domain", "GPC99"),
        ("region", "XX"),
        ("module", "no-such-module"),
        ("priority", "Not a priority"),
        ("colour", "blue"),
        ("region", ""),
        ("region", "x" * 201),
        ("region", "LON\x00"),
    ):
        response = _follow(client, kind, value)
        assert response.status_code in {302, 400}, (kind, value)
    assert _follow(client, "region", "SW", next="https://evil.example/").location.endswith(
        "/network/following"
    )
    assert _follows() == [("region", "SW")]
    for n in range(follows.MAX_FOLLOWS):
        db.session.add(NetworkFollow(user_id=reader.id, kind=FollowKind.PRIORITY, value=f"p{n}"))
    db.session.commit()
    _follow(client, "domain", "GPC5")
    assert ("domain", "GPC5") not in _follows()


def test_the_following_feed_costs_the_same_however_many_posts(
    app: Any, client: FlaskClient, count_queries: Any
) -> None:
    reader = make_user(roles=[(Role.PARTICIPANT, None)])
    slug = make_module().slug
    for kind, value in ((FollowKind.DOMAIN, "GPC5"), (FollowKind.MODULE, slug)):
        db.session.add(NetworkFollow(user_id=reader.id, kind=kind, value=value))
    db.session.commit()
    login(client, reader)

    def cost() -> int:
        db.session.remove()
        with count_queries() as statements:
            assert client.get("/network/following").status_code == 200
        return len(statements)

    def grow(n: int) -> None:
        for _ in range(n):
            make_post(module_slug=slug, domains=["GPC5"])
            make_post(region_code="SW", domains=["GPC6"])
        db.session.commit()

    grow(2)
    before = cost()
    grow(12)
    assert cost() == before


def _digest_reader(follow: list[tuple[FollowKind, str]]) -> int:
    reader = make_user(roles=[(Role.PARTICIPANT, None)])
    cohort = current_cohorts()["lon-current"]
    make_enrolment(reader, cohort)
    for kind, value in follow:
        db.session.add(NetworkFollow(user_id=reader.id, kind=kind, value=value))
    return reader.id


def test_the_digest_puts_followed_posts_first_and_never_hidden_ones(
    app: Any, frozen_now: Any, time_machine: Any
) -> None:
    make_release(make_module(title="Unfinished module").latest, current_cohorts()["lon-current"])
    marker = make_user(roles=[(Role.PARTICIPANT, None)])
    popular = make_post(title="Popular London post", region_code="LON", domains=["GPC5"])
    sw = make_post(title="Quiet South West post", region_code="SW", domains=["GPC6"])
    hidden = make_post(title="Hidden South West post", region_code="SW", domains=["GPC6"])
    hidden.hidden_at = clock.now()
    db.session.add(UsefulMark(post_id=popular.id, user_id=marker.id))
    db.session.add(UsefulMark(post_id=hidden.id, user_id=marker.id))
    follower = _digest_reader([(FollowKind.REGION, "SW"), (FollowKind.DOMAIN, "GPC6")])
    plain = _digest_reader([])
    unmatched = _digest_reader([(FollowKind.DOMAIN, "GPC9")])
    db.session.commit()
    # Next Monday at noon, UK time: the digest is due and every post is from this week.
    local = to_local(clock.now())
    monday = local.date() + timedelta(days=7 - local.weekday())
    due = datetime.combine(monday, time(12, 0), tzinfo=local_zone()).astimezone(UTC)
    time_machine.move_to(due)
    assert digest.queue_weekly_digests(clock.now()) == 3
    db.session.commit()
    bodies = {
        n.recipient_id: (n.body, n.payload["network"])
        for n in db.session.scalars(
            sa.select(Notification).where(Notification.kind == "weekly_digest")
        )
    }
    body, titles = bodies[follower]
    assert titles == ["Quiet South West post", "Popular London post"]
    assert body.index("From what you follow") < body.index("- Quiet South West post")
    assert body.index("Also across the regions") < body.index("- Popular London post")
    assert bodies[plain][1] == ["Popular London post", "Quiet South West post"]
    assert "From what you follow" not in bodies[plain][0]
    assert bodies[unmatched][1] == bodies[plain][1]
    assert all("Hidden" not in body for body, _ in bodies.values())
    assert sw.title in bodies[plain][0]


def test_homes_show_network_activity_in_their_interests(app: Any, client: FlaskClient) -> None:
    champion = make_user(roles=[(Role.CHAMPION, region("LON"))])
    profile = ChampionProfile(
        user=champion, region=region("LON"), profession="GP", job_title="Partner"
    )
    profile.interests = [ChampionInterest(kind=InterestKind.DOMAIN, value="GPC6")]
    db.session.add(profile)
    db.session.add(NetworkFollow(user_id=champion.id, kind=FollowKind.REGION, value="SW"))
    make_post(title="About leadership", region_code="LON", domains=["GPC6"])
    make_post(title="From the South West", region_code="SW", domains=[])
    make_post(title="Nothing to do with them", region_code="LON", domains=["GPC1"])
    hidden = make_post(title="Hidden London post", region_code="LON", domains=["GPC6"])
    hidden.hidden_at = clock.now()
    lead = make_user(roles=[(Role.REGIONAL_LEAD, region("SW"))])
    db.session.commit()
    login(client, champion)
    home = client.get("/").get_data(as_text=True)
    assert "From the network in your interests" in home
    assert "About leadership" in home and "From the South West" in home
    assert "Nothing to do with them" not in home and "Hidden London post" not in home
    region_page = client.get("/regions/LON").get_data(as_text=True)
    assert "Recent network posts from London" in region_page
    assert "Nothing to do with them" in region_page and "Hidden London post" not in region_page
    login(client, lead)
    sw_page = client.get("/regions/SW").get_data(as_text=True)
    assert "From the South West" in sw_page and "About leadership" not in sw_page
    assert "Opportunities coming up in" in sw_page
