"""The moderators' queue: scoped to the moderator's region (national admins: all), newest
report first, paged; hide, restore and dismiss from it with a reason, audited; others get
a 403 for the queue and a 404 for a post outside their scope."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from futuredoctor.community import moderation, network
from futuredoctor.extensions import db
from futuredoctor.models import AuditEvent, NetworkPost, PostReport, Role, User
from tests.community.champions import region
from tests.community.network import make_post
from tests.factories import make_user
from tests.helpers import login


def _report(post: NetworkPost, reason: str, reporter: User | None = None) -> None:
    reporter = reporter or make_user(roles=[(Role.PARTICIPANT, None)])
    network.report(reporter, post, reason)


def _open(post: NetworkPost) -> int:
    stmt = sa.select(sa.func.count()).where(
        PostReport.post_id == post.id, PostReport.closed_at.is_(None)
    )
    return db.session.scalar(stmt) or 0


def _actions() -> list[str]:
    stmt = sa.select(AuditEvent.action).where(AuditEvent.action.startswith("network_"))
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def test_the_queue_is_scoped_and_newest_report_first(
    app: Any, client: FlaskClient, frozen_now: Any, time_machine: Any
) -> None:
    older = make_post(title="Older London report", region_code="LON")
    newer = make_post(title="Newer London report", region_code="LON")
    sw = make_post(title="South West report", region_code="SW")
    author = make_user(roles=[(Role.LEAD_EDUCATOR, None)])
    untagged = make_post(author, title="No region", region_code="")
    quiet = make_post(title="Never reported", region_code="LON")
    _report(older, "Names a patient")
    time_machine.shift(60)
    for post in (sw, untagged):
        _report(post, "Advertising")
    time_machine.shift(60)
    _report(newer, "Rude")
    _report(newer, "Off topic")
    london_lead = make_user(roles=[(Role.REGIONAL_LEAD, region("LON"))])
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    champion = make_user(roles=[(Role.CHAMPION, region("LON"))])
    db.session.commit()

    login(client, london_lead)
    page = client.get("/network/moderation").get_data(as_text=True)
    assert page.index("Newer London report") < page.index("Older London report")
    assert "2 open reports" in page and "Rude" in page and "Off topic" in page
    assert "South West report" not in page and "No region" not in page
    assert quiet.title not in page and "2 reported posts" in page
    assert client.get("/network/moderation?page=2").status_code == 404
    assert (
        client.post(f"/network/moderation/{sw.id}", data={"action": "dismiss"}).status_code == 404
    )
    assert moderation.open_count(london_lead) == 2

    login(client, admin)
    page = client.get("/network/moderation").get_data(as_text=True)
    assert "South West report" in page and "No region" in page and "4 reported posts" in page

    login(client, champion)
    assert client.get("/network/moderation").status_code == 403
    assert (
        client.post(f"/network/moderation/{older.id}", data={"action": "dismiss"}).status_code
        == 403
    )


def test_dismiss_hide_and_restore_from_the_queue_are_audited(app: Any, client: FlaskClient) -> None:
    post = make_post(title="A reported post", region_code="LON")
    other = make_post(title="Another reported post", region_code="LON")
    _report(post, "Names a patient")
    _report(other, "Looks like an advert")
    lead = make_user(roles=[(Role.REGIONAL_LEAD, region("LON"))])
    db.session.commit()
    login(client, lead)

    # Hiding needs a reason; a refusal changes nothing.
    response = client.post(f"/network/moderation/{post.id}", data={"action": "hide", "reason": ""})
    assert response.status_code == 302
    assert "Enter the reason" in client.get("/network/moderation").get_data(as_text=True)
    db.session.expire_all()
    assert post.hidden_at is None and _open(post) == 1
    too_long = {"action": "dismiss", "reason": "x" * 501}
    client.post(f"/network/moderation/{post.id}", data=too_long)
    assert (
        client.post(f"/network/moderation/{post.id}", data={"action": "delete"}).status_code == 302
    )
    db.session.expire_all()
    assert _open(post) == 1 and _actions() == []

    hide = {"action": "hide", "reason": "Names a patient"}
    assert client.post(f"/network/moderation/{post.id}", data=hide).status_code == 302
    dismiss = {"action": "dismiss", "reason": "Not an advert"}
    assert client.post(f"/network/moderation/{other.id}", data=dismiss).status_code == 302
    db.session.expire_all()
    assert post.hidden_at is not None and _open(post) == 0
    assert other.hidden_at is None and _open(other) == 0
    page = client.get("/network/moderation").get_data(as_text=True)
    assert "No reports are waiting" in page
    assert client.post(f"/network/moderation/{other.id}", data=dismiss).status_code == 302
    assert "no open reports" in client.get("/network/moderation").get_data(as_text=True)

    hidden = client.get("/network/moderation?show=hidden").get_data(as_text=True)
    assert "A reported post" in hidden and "Another reported post" not in hidden
    restore = {"action": "restore", "reason": "Edited by the author"}
    response = client.post(f"/network/moderation/{post.id}?show=hidden", data=restore)
    assert response.status_code == 302 and response.location.endswith("show=hidden")
    db.session.expire_all()
    assert post.hidden_at is None
    assert _actions() == [
        "network_post_hidden",
        "network_reports_dismissed",
        "network_post_restored",
    ]


def test_the_queue_pages_and_costs_the_same_however_many_reports(
    app: Any, client: FlaskClient, count_queries: Any
) -> None:
    lead = make_user(roles=[(Role.REGIONAL_LEAD, region("LON"))])
    reporter_id = make_user(roles=[(Role.PARTICIPANT, None)]).id
    db.session.commit()
    login(client, lead)

    def grow(n: int) -> None:
        reporter = db.session.get(User, reporter_id)
        for _ in range(n):
            post = make_post(region_code="LON")
            for reason in ("One", "Two", "Three", "Four"):
                _report(post, reason, reporter)
        db.session.commit()

    def cost() -> int:
        db.session.remove()
        with count_queries() as statements:
            assert client.get("/network/moderation").status_code == 200
        return len(statements)

    grow(2)
    before = cost()
    grow(network.PER_PAGE)
    assert cost() == before
    page = client.get("/network/moderation?page=2").get_data(as_text=True)
    assert "22 reported posts" in page
    assert page.count("4 open reports") == 2 and page.count("<li>One</li>") == 0
