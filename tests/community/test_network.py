"""The trailblazer network: posting (who, what, sanitised), the list with filters, search
and paging, comments, useful marks, reports and moderation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from futuredoctor import clock
from futuredoctor.community import network
from futuredoctor.extensions import db
from futuredoctor.models import (
    AuditEvent,
    NetworkComment,
    NetworkPost,
    PostReport,
    Role,
    UsefulMark,
)
from futuredoctor.notifications import digest
from tests.community.champions import region
from tests.community.network import make_post
from tests.factories import make_module, make_user
from tests.helpers import login


def _count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "What a Saturday clinic taught us",
        "body": "We moved the clinic to *Saturdays* and [wrote it up](https://example.org).",
        "region": "LON",
        "module": "",
        "domains": ["GPC5"],
        "priorities": [],
    }
    data.update(overrides)
    return data


def test_a_champion_posts_and_the_markdown_is_sanitised(app: Any, client: FlaskClient) -> None:
    author = make_user(roles=[(Role.CHAMPION, region("LON"))])
    db.session.commit()
    login(client, author)
    body = "Hello **there**\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>"
    response = client.post("/network/new", data=_form(body=body))
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "<strong>there</strong>" in page
    # Raw HTML and script links are shown as text, never as markup.
    assert 'href="javascript' not in page and "<img" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"body": "<script>alert(1)</script>"}, "Remove the script"),
        ({"body": "x" * (network.MAX_BODY + 1)}, "10,000 characters or fewer"),
        ({"title": ""}, "Enter a title"),
        ({"region": "XX"}, "Choose a region from the list"),
        ({"domains": ["GPC99"]}, "Choose GPC domains from the list"),
        ({"module": "no-such-module"}, "Choose a module from the list"),
    ],
)
def test_bad_posts_name_the_field_and_write_nothing(
    app: Any, client: FlaskClient, overrides: dict[str, Any], message: str
) -> None:
    author = make_user(roles=[(Role.REGIONAL_LEAD, region("LON"))])
    db.session.commit()
    login(client, author)
    response = client.post("/network/new", data=_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(NetworkPost) == 0


def test_participants_post_only_after_opting_in(app: Any, client: FlaskClient) -> None:
    participant = make_user(roles=[(Role.PARTICIPANT, None)])
    evaluator = make_user(roles=[(Role.EVALUATOR, region("LON"))])
    db.session.commit()
    login(client, evaluator)
    assert client.post("/network/new", data=_form()).status_code == 400
    assert client.post("/network/opt-in").status_code == 302  # refused with a message
    login(client, participant)
    assert "I want to post" in client.get("/network/new").get_data(as_text=True)
    assert client.post("/network/new", data=_form()).status_code == 400
    assert _count(NetworkPost) == 0
    assert client.post("/network/opt-in").status_code == 302
    assert client.post("/network/opt-in").status_code == 302  # twice is harmless
    assert client.post("/network/new", data=_form()).status_code == 302
    assert _count(NetworkPost) == 1


def test_the_list_filters_searches_and_pages_newest_first(
    app: Any, frozen_now: Any, time_machine: Any
) -> None:
    module = make_module(title="Shared decisions")
    reader = make_user(roles=[(Role.PARTICIPANT, None)])
    old = make_post(title="Coastal outreach", region_code="SW", domains=["GPC6"])
    time_machine.shift(60)
    new = make_post(
        title="Huddles 100% better", module_slug=module.slug, priorities=[], domains=["GPC5"]
    )
    db.session.commit()

    def titles(**filters: Any) -> list[str]:
        page = network.posts(reader, network.PostFilters(**filters), 1)
        return [p.title for p in page.items]

    assert titles() == [new.title, old.title]
    assert titles(region="SW") == [old.title]
    assert titles(domain="GPC5") == [new.title]
    assert titles(module=module.slug) == [new.title]
    assert titles(text="coastal OUTREACH") == [old.title]
    assert titles(text="100%") == [new.title]  # a wildcard character is just a character
    assert titles(text="better coastal") == []  # a post must hold every word
    for _ in range(network.PER_PAGE):
        make_post()
    db.session.commit()
    assert len(network.posts(reader, network.PostFilters(), 2).items) == 2


def test_authors_change_and_delete_only_their_own(app: Any, client: FlaskClient) -> None:
    post = make_post()
    other = make_user(roles=[(Role.CHAMPION, region("LON"))])
    db.session.commit()
    login(client, other)
    assert client.get(f"/network/{post.id}/edit").status_code == 404
    assert client.post(f"/network/{post.id}/delete").status_code == 404
    login(client, post.author)
    assert client.get(f"/network/{post.id}/edit").status_code == 200
    changed = client.post(f"/network/{post.id}/edit", data=_form(title="Changed title"))
    assert changed.status_code == 302
    db.session.expire_all()
    assert db.session.get(NetworkPost, post.id).title == "Changed title"  # type: ignore[union-attr]
    client.post(f"/network/{post.id}/comment", data={"body": "Goes with the post"})
    client.post(f"/network/{post.id}/useful")
    assert client.post(f"/network/{post.id}/delete").status_code == 302
    assert [_count(m) for m in (NetworkPost, NetworkComment, UsefulMark)] == [0, 0, 0]


def test_comments_and_one_useful_mark_per_person(app: Any, client: FlaskClient) -> None:
    post = make_post()
    reader = make_user(roles=[(Role.PARTICIPANT, None)])
    db.session.commit()
    login(client, reader)
    assert client.post(f"/network/{post.id}/comment", data={"body": ""}).status_code == 400
    response = client.post(f"/network/{post.id}/comment", data={"body": "We tried this too."})
    assert response.status_code == 302
    for _ in range(2):  # a double click
        assert client.post(f"/network/{post.id}/useful").status_code == 302
    page = client.get(f"/network/{post.id}").get_data(as_text=True)
    assert "We tried this too." in page and "1 found this useful" in page
    assert (_count(NetworkComment), _count(UsefulMark)) == (1, 1)
    client.post(f"/network/{post.id}/useful", data={"undo": "1"})
    assert _count(UsefulMark) == 0


def test_a_posts_useful_count_and_ones_own_mark_are_one_query(app: Any) -> None:
    post = make_post()
    readers = [make_user(roles=[(Role.PARTICIPANT, None)]) for _ in range(3)]
    db.session.commit()
    assert network.useful_marks(readers[0], post) == (0, False)
    for reader in readers[1:]:
        network.mark_useful(reader, post)
    db.session.commit()
    assert network.useful_marks(readers[0], post) == (2, False)
    assert network.useful_marks(readers[1], post) == (2, True)


def test_reports_and_moderation_hide_and_restore_audited(app: Any, client: FlaskClient) -> None:
    post = make_post(region_code="LON")
    reader = make_user(roles=[(Role.PARTICIPANT, None)])
    london_lead = make_user(roles=[(Role.REGIONAL_LEAD, region("LON"))])
    other_lead = make_user(roles=[(Role.REGIONAL_LEAD, region("SW"))])
    db.session.commit()

    login(client, reader)
    assert client.post(f"/network/{post.id}/report", data={"report-reason": ""}).status_code == 400
    response = client.post(f"/network/{post.id}/report", data={"report-reason": "Names a patient"})
    assert response.status_code == 302 and _count(PostReport) == 1
    assert client.post(f"/network/{post.id}/hide", data={"moderate-reason": "x"}).status_code == 403

    login(client, other_lead)  # not tagged to their region
    assert client.post(f"/network/{post.id}/hide", data={"moderate-reason": "x"}).status_code == 404

    login(client, london_lead)
    assert "1 report" in client.get(f"/network/{post.id}").get_data(as_text=True)
    assert client.post(f"/network/{post.id}/hide", data={"moderate-reason": ""}).status_code == 400
    hide = client.post(f"/network/{post.id}/hide", data={"moderate-reason": "Names a patient"})
    assert hide.status_code == 302
    assert "Names a patient" in client.get(f"/network/{post.id}").get_data(as_text=True)

    login(client, reader)
    assert client.get(f"/network/{post.id}").status_code == 404
    assert post.title not in client.get("/network").get_data(as_text=True)
    assert client.post(f"/network/{post.id}/comment", data={"body": "hi"}).status_code == 404
    login(client, post.author)
    assert "Hidden by a moderator" in client.get(f"/network/{post.id}").get_data(as_text=True)

    login(client, london_lead)
    restore = client.post(f"/network/{post.id}/restore", data={"moderate-reason": "Edited"})
    assert restore.status_code == 302
    events = sa.select(AuditEvent.action).where(AuditEvent.action.startswith("network_"))
    assert list(db.session.scalars(events.order_by(AuditEvent.id))) == [
        "network_post_hidden",
        "network_post_restored",
    ]
    login(client, reader)
    assert client.get(f"/network/{post.id}").status_code == 200


def test_the_digest_carries_the_weeks_most_useful_visible_posts(
    app: Any, frozen_now: Any, time_machine: Any
) -> None:
    old = make_post(title="Last month's post")
    time_machine.shift(timedelta(days=8))
    quiet = make_post(title="A quiet post")
    liked = make_post(title="A useful post")
    hidden = make_post(title="A hidden post")
    hidden.hidden_at = frozen_now
    for person in (old.author, quiet.author, hidden.author):
        db.session.add(UsefulMark(post_id=liked.id, user_id=person.id))
    db.session.flush()
    titles = digest.network_highlights(clock.now())
    assert titles == ["A useful post", "A quiet post"]
    assert digest.network_section(titles).endswith("- A useful post\n- A quiet post")
    assert digest.network_section([]) == ""


def test_a_module_page_shows_what_pilots_posted_about_it(app: Any, client: FlaskClient) -> None:
    module = make_module(title="Shared decisions")
    make_post(title="Decision aids in clinic", module_slug=module.slug)
    hidden = make_post(title="A hidden post", module_slug=module.slug)
    hidden.hidden_at = clock.now()
    reader = make_user(roles=[(Role.CHAMPION, region("SW"))])
    db.session.commit()
    login(client, reader)
    page = client.get(f"/modules/{module.slug}").get_data(as_text=True)
    assert "From the trailblazer network" in page and "Decision aids in clinic" in page
    assert "A hidden post" not in page


def test_a_module_page_costs_the_same_with_posts_about_it(
    app: Any, client: FlaskClient, count_queries: Any
) -> None:
    """No posts, then posts by authors with grants and tags: the panel is one query."""
    slug = make_module(title="Shared decisions").slug
    reader = make_user(roles=[(Role.CHAMPION, region("SW"))])
    db.session.commit()
    login(client, reader)

    def cost() -> int:
        db.session.remove()
        with count_queries() as statements:
            assert client.get(f"/modules/{slug}").status_code == 200
        return len(statements)

    cost()  # the first view reads the content choices the page keeps
    before = cost()
    for n in range(3):
        make_post(title=f"Post {n}", module_slug=slug, domains=["GPC5"])
    db.session.commit()
    after = cost()
    assert after == before
    assert "Post 2" in client.get(f"/modules/{slug}").get_data(as_text=True)


def test_the_list_and_a_post_cost_the_same_however_many_posts(
    app: Any, client: FlaskClient, count_queries: Any
) -> None:
    reader = make_user(roles=[(Role.PARTICIPANT, None)])
    db.session.commit()
    login(client, reader)
    reader_id = reader.id

    def cost(url: str) -> int:
        db.session.remove()
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    def grow(n: int) -> None:
        module = make_module()
        for _ in range(n):
            post = make_post(module_slug=module.slug, priorities=[], domains=["GPC5", "GPC6"])
            db.session.add(NetworkComment(post_id=post.id, author_id=reader_id, body="Yes"))
            db.session.add(UsefulMark(post_id=post.id, user_id=reader_id))
        db.session.commit()

    grow(2)
    first = db.session.scalar(sa.select(sa.func.min(NetworkPost.id)))
    client.get("/network?domain=GPC5&text=huddle")  # a search's words are read once
    before = (cost("/network"), cost("/network?domain=GPC5&text=huddle"), cost(f"/network/{first}"))
    grow(12)
    after = (cost("/network"), cost("/network?domain=GPC5&text=huddle"), cost(f"/network/{first}"))
    assert after == before


def test_the_short_lists_show_what_each_viewer_may_see(app: Any) -> None:
    """The module and region pages' lists, built once per kind of viewer, hold exactly the
    posts ``visible_to`` lets that viewer see: others' hidden posts only to a moderator of
    their region (every region for a national admin), one's own always."""
    from futuredoctor.models import NetworkPost, Region

    module = make_module(title="Shared decisions")
    slug = module.slug
    author = make_user(roles=[(Role.CHAMPION, region("LON"))])
    for code in ("LON", "SW"):
        for hidden in (False, True):
            post = make_post(title=f"{code} {hidden}", region_code=code, module_slug=slug)
            post.hidden_at = clock.now() if hidden else None
    own = make_post(author=author, title="Own hidden", region_code="SW", module_slug=slug)
    own.hidden_at = clock.now()
    viewers = [
        author,
        make_user(roles=[(Role.PARTICIPANT, None)]),
        make_user(roles=[(Role.REGIONAL_LEAD, region("LON"))]),
        make_user(roles=[(Role.REGIONAL_LEAD, region("SW")), (Role.REGIONAL_LEAD, region("LON"))]),
        make_user(roles=[(Role.NATIONAL_ADMIN, None)]),
    ]
    db.session.commit()
    for viewer in viewers:
        seen = set(db.session.scalars(sa.select(NetworkPost.id).where(network.visible_to(viewer))))
        listed = {link.id for link in network.posts_about(viewer, module, limit=50)}
        assert listed == seen, viewer.roles
        for code in ("LON", "SW"):
            place = db.session.scalar(sa.select(Region).where(Region.code == code))
            in_region = {link.id for link in network.post_links(viewer, "region", place.id, 50)}
            wanted = {i for i in seen if db.session.get(NetworkPost, i).region_id == place.id}
            assert in_region == wanted, (viewer.roles, code)
