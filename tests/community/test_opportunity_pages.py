"""Opportunity pages over HTTP: publishing, listing, registering, the organiser's
registrations and attendance, the calendar files and the public list."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from futuredoctor.community import registrations
from futuredoctor.extensions import db
from futuredoctor.models import Opportunity, Registration, RegistrationStatus, Role
from tests.community.champions import make_champion, make_opportunity
from tests.dates import next_clock_change, today
from tests.factories import make_user
from tests.helpers import login


def _form(**overrides: Any) -> dict[str, Any]:
    day = today() + timedelta(days=10)
    closes = day - timedelta(days=1)
    data: dict[str, Any] = {
        "kind": "webinar",
        "title": "Webinar: shared decisions",
        "description": "An hour on shared decision making.",
        "location": "https://example.nhs.uk/webinar",
        "region": "LON",
        "start_day": day.day,
        "start_month": day.month,
        "start_year": day.year,
        "start_time": "18:00",
        "end_time": "19:00",
        "closes_on_day": closes.day,
        "closes_on_month": closes.month,
        "closes_on_year": closes.year,
        "capacity": "25",
        "is_public": "no",
        "career_stages": ["FY1", "FY2"],
    }
    data.update(overrides)
    return data


def _count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_a_champion_publishes_and_bad_input_is_named(app: Any, client: FlaskClient) -> None:
    champion, _ = make_champion("LON")
    db.session.commit()
    login(client, champion)
    assert client.get("/opportunities/new").status_code == 200
    spring = next_clock_change(True)
    skipped = client.post(
        "/opportunities/new",
        data=_form(
            start_day=spring.day,
            start_month=spring.month,
            start_year=spring.year,
            closes_on_day=spring.day,
            closes_on_month=spring.month,
            closes_on_year=spring.year,
            start_time="01:30",
            end_time="03:00",
        ),
    )
    assert skipped.status_code == 400
    assert "does not exist in UK time" in skipped.get_data(as_text=True)
    for bad, message in [
        ({"capacity": "0"}, "Places must be between 1 and 10,000"),
        ({"closes_on_year": "1999"}, "The closing date must be in a year"),
        ({"start_time": "25:00"}, "The start time must be in the 24-hour clock"),
        ({"title": ""}, "Enter a title"),
        ({"career_stages": ["ST9"]}, "Choose career stages from the list"),
        ({"region": "SW"}, "Choose a region from the list"),
    ]:
        response = client.post("/opportunities/new", data=_form(**bad))
        assert response.status_code == 400, bad
        assert message in response.get_data(as_text=True), bad
    assert _count(Opportunity) == 0
    published = client.post("/opportunities/new", data=_form())
    assert published.status_code == 302
    opportunity = db.session.scalar(sa.select(Opportunity))
    assert opportunity is not None and opportunity.organiser_id == champion.id
    page = client.get(published.location).get_data(as_text=True)
    assert "Webinar: shared decisions" in page and "18:00" in page


def test_participants_register_and_only_the_organiser_sees_who(
    app: Any, client: FlaskClient
) -> None:
    organiser, _ = make_champion("LON")
    opportunity = make_opportunity(organiser, capacity=1)
    first = make_user(roles=[(Role.PARTICIPANT, None)], family_name="Firstcomer")
    second = make_user(roles=[(Role.PARTICIPANT, None)], family_name="Secondcomer")
    db.session.commit()
    login(client, first)
    listing = client.get("/opportunities").get_data(as_text=True)
    assert opportunity.title in listing
    url = f"/opportunities/{opportunity.id}"
    assert client.post(f"{url}/register").status_code == 302
    assert client.post(f"{url}/register").status_code == 302  # a double click: no change
    assert "You have a place" in client.get("/opportunities").get_data(as_text=True)
    assert client.get(f"{url}/registrations").status_code == 403  # participants
    login(client, second)
    client.post(f"{url}/register")
    page = client.get(url).get_data(as_text=True)
    assert "waiting list" in page and "Firstcomer" not in page  # never who else registered

    other, _ = make_champion("LON")
    db.session.commit()
    login(client, other)
    assert client.get(f"{url}/registrations").status_code == 404  # not their opportunity
    login(client, organiser)
    rows = client.get(f"{url}/registrations").get_data(as_text=True)
    assert "Firstcomer" in rows and "Secondcomer" in rows
    first_row = registrations.registration_of(opportunity, first)
    assert first_row is not None
    saved = client.post(f"{url}/attendance", data={"attended": [str(first_row.id)]})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, first_row.id).status is RegistrationStatus.ATTENDED  # type: ignore[union-attr]
    bad = client.post(f"{url}/attendance", data={"attended": ["abc"]})
    assert bad.status_code == 400


def test_an_opportunity_not_meant_for_you_is_not_found(app: Any, client: FlaskClient) -> None:
    opportunity = make_opportunity(career_stages=["ST3"])
    reader = make_user(roles=[(Role.PARTICIPANT, None)], career_stage="FY1")
    db.session.commit()
    login(client, reader)
    assert client.get(f"/opportunities/{opportunity.id}").status_code == 404
    assert client.post(f"/opportunities/{opportunity.id}/register").status_code == 404
    opportunity.is_public = True  # public: readable, but still not open to them
    db.session.commit()
    refused = client.post(f"/opportunities/{opportunity.id}/register")
    assert refused.status_code == 400
    assert "not open to you" in refused.get_data(as_text=True)
    assert _count(Registration) == 0


def test_an_opportunity_page_asks_who_it_is_meant_for_once(
    app: Any, client: FlaskClient, count_queries: Any
) -> None:
    """The access check and the "meant for you" line share one answer; the opportunity
    comes with its region and organiser (not the organiser's role grants)."""
    opportunity = make_opportunity(career_stages=["FY1"])
    reader = make_user(roles=[(Role.PARTICIPANT, None)], career_stage="FY1")
    db.session.commit()
    login(client, reader)
    with count_queries() as statements:
        page = client.get(f"/opportunities/{opportunity.id}")
    assert page.status_code == 200 and opportunity.title in page.get_data(as_text=True)
    audience_checks = [s for s in statements if "FROM opportunity_audience" in s and "EXISTS" in s]
    assert len(audience_checks) == 1
    assert not any("FROM role_grant" in s and "role_grant.user_id IN" in s for s in statements)


def test_calendar_files_and_a_revocable_feed(app: Any, client: FlaskClient) -> None:
    opportunity = make_opportunity()
    person = make_user(roles=[(Role.PARTICIPANT, None)])
    registrations.register(opportunity, person)
    db.session.commit()
    login(client, person)
    ics = client.get(f"/opportunities/{opportunity.id}/calendar.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    body = ics.get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and opportunity.starts_at.strftime("%Y%m%dT%H%M%SZ") in body

    page = client.post("/calendar/feed").get_data(as_text=True)
    address = re.search(r"(/calendar/[A-Za-z0-9_-]{20,}\.ics)", page)
    assert address is not None
    feed_url = address.group(1)
    client.post("/sign-out")
    anonymous = app.test_client()
    feed = anonymous.get(feed_url)
    assert feed.status_code == 200 and opportunity.title in feed.get_data(as_text=True)
    login(client, person)
    assert client.post("/calendar/feed/revoke").status_code == 302
    assert anonymous.get(feed_url).status_code == 404


def test_the_public_page_lists_only_public_opportunities(app: Any, client: FlaskClient) -> None:
    make_opportunity(title="Open taster day", is_public=True)
    make_opportunity(title="Members-only webinar")
    db.session.commit()
    page = client.get("/opportunities/public").get_data(as_text=True)
    assert "Open taster day" in page and "Members-only webinar" not in page


def test_the_list_costs_the_same_queries_for_more_opportunities(
    app: Any, client: FlaskClient, count_queries: Any
) -> None:
    from tests.factories import current_cohorts, make_enrolment

    organiser, _ = make_champion("LON")
    person = make_user(roles=[(Role.PARTICIPANT, None)], career_stage="FY1")
    make_enrolment(person, current_cohorts()["lon-current"])
    opportunity = make_opportunity(organiser, regions=["LON", "SW"])
    registrations.register(opportunity, person)
    db.session.commit()
    login(client, person)
    client.get("/opportunities")
    with count_queries() as few:
        assert client.get("/opportunities").status_code == 200
    for n in range(12):
        more = make_opportunity(organiser, title=f"Talk {n}", career_stages=["FY1", "FY2"])
        registrations.register(more, person)
    db.session.commit()
    with count_queries() as many:
        assert client.get("/opportunities").status_code == 200
    assert len(many) == len(few)


def test_the_lists_read_only_the_opportunities_still_to_end(app: Any, client: FlaskClient) -> None:
    """On PostgreSQL, with years of past opportunities, the list finds those still to end
    through the index on when they end (it read every opportunity ever held, and planned
    that at a cost PostgreSQL compiled first: 323 ms a list at 50,000 past ones)."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    organiser, _ = make_champion("LON")
    person = make_user(roles=[(Role.PARTICIPANT, None)])
    make_opportunity(organiser, title="Still to come")
    db.session.execute(
        sa.text(
            "INSERT INTO opportunity (organiser_id, region_id, kind, title, description, "
            "location, starts_at, ends_at, closes_at, capacity, places_taken, is_public, "
            "created_at) SELECT organiser_id, region_id, kind, 'Past ' || g, description, "
            "location, starts_at - g * interval '1 day', ends_at - g * interval '1 day', "
            "closes_at - g * interval '1 day', capacity, 0, is_public, created_at "
            "FROM opportunity, generate_series(400, 5400) AS g"
        )
    )
    db.session.execute(sa.text("ANALYZE opportunity"))
    db.session.commit()
    login(client, person)
    seen: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, params: Any, *args: Any) -> None:
        seen.append((statement, params))

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = client.get("/opportunities").get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert "Still to come" in page and "Past 400" not in page
    listing = next((s, p) for s, p in seen if "opportunity.ends_at >" in s and "LIMIT" in s)
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    cursor.execute("EXPLAIN " + listing[0], listing[1])
    assert "ix_opportunity_ends_at" in "\n".join(row[0] for row in cursor.fetchall())
