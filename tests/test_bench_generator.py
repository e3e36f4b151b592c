"""The benchmark's data generator stays in step with the model: a tiny data set made with
it (PostgreSQL COPY, as ``make bench`` does) opens on every page, for every role."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from benchmarks.generate import BENCH_PASSWORD, Scale, generate
from futuredoctor.extensions import db
from futuredoctor.models import Role, User
from tests.factories import PASSWORD
from tests.test_query_growth import page_urls
from tests.test_route_permissions import _make_person, dynamic_samples, placeholder_samples

TINY = Scale(
    participants=40,
    synthetic_modules=2,
    cohorts_per_pilot=1,
    releases_per_cohort=4,
    feedback_per_participant=2,
    champions=12,
    network_posts=30,
)


def with_arguments(app: Flask, endpoint: str) -> bool:
    return any(rule.arguments for rule in app.url_map.iter_rules(endpoint))


@pytest.mark.postgres
def test_every_page_opens_on_generated_data(app: Flask, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the generator writes with PostgreSQL COPY")
    dsn = sa.make_url(database_url).set(drivername="postgresql").render_as_string(False)
    db.session.commit()
    sizes = generate(dsn, TINY)
    assert sizes["participants"] == TINY.participants
    people = {role: _make_person(role) for role in Role}
    placeholders = placeholder_samples()
    failures = []
    bench_person = db.session.scalar(sa.select(User).where(User.email == "bench0@example.nhs.uk"))
    assert bench_person is not None
    # Each person's own samples (their educator records) are made before any request.
    signed_in = [
        (role, person.email, PASSWORD, dynamic_samples(person))
        for role, person in people.items()
        if person
    ]
    signed_in.append(
        (Role.PARTICIPANT, bench_person.email, BENCH_PASSWORD, dynamic_samples(bench_person))
    )
    for role, email, password, dynamic in signed_in:
        client = app.test_client()
        response = client.post("/sign-in", data={"email": email, "password": password})
        assert response.status_code == 302, email
        for endpoint, url in page_urls(app, role, dynamic, placeholders):
            if password == BENCH_PASSWORD and with_arguments(app, endpoint):
                continue  # the samples are London's; this person is in a generated cohort
            db.session.remove()
            status = client.get(url).status_code
            if status != 200:
                failures.append(f"{role.value} {email} {url}: {status}")
    assert failures == []
