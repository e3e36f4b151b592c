"""Fixtures for the enrolment tests: a London pilot administrator and a small cohort whose
enrolment window is open now."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from futuredoctor.models import Cohort, Notification, Pilot, Role
from tests.factories import days_from_today, make_cohort, make_user
from tests.helpers import login


@pytest.fixture
def london_pilot(db_session) -> Pilot:
    return db_session.scalar(sa.select(Pilot).where(Pilot.slug == "lon-inclusion-health"))


@pytest.fixture
def pilot_admin(db_session, london_pilot):
    user = make_user(
        email="jamal.admin@example.nhs.uk",
        roles=[(Role.PILOT_ADMIN, london_pilot)],
        given_name="Jamal",
        family_name="Idris",
    )
    db_session.commit()
    return user


@pytest.fixture
def admin_client(client, pilot_admin):
    login(client, pilot_admin)
    return client


@pytest.fixture
def small_cohort(db_session, london_pilot) -> Cohort:
    cohort = make_cohort(
        london_pilot,
        slug="lon-small",
        name="Small cohort",
        capacity=2,
        enrolment_opens=days_from_today(-30),
        enrolment_closes=days_from_today(60),
        starts_on=days_from_today(61),
        ends_on=days_from_today(240),
        eligible_professional_groups=["doctor", "nurse"],
        eligible_career_stages=["FY1", "FY2", "other"],
    )
    db_session.commit()
    return cohort


def notifications(db_session, kind: str, recipient_id: int | None = None) -> list[Notification]:
    stmt = sa.select(Notification).where(Notification.kind == kind)
    if recipient_id is not None:
        stmt = stmt.where(Notification.recipient_id == recipient_id)
    return list(db_session.scalars(stmt.order_by(Notification.id)))


def post_at_once(app, user, path: str, make_form, n: int = 2) -> list:
    """``n`` signed-in clients POST to ``path`` at the same moment, each in its own thread
    with its own app context, session and connection (as web workers do)."""
    clients = []
    for _ in range(n):
        client = FlaskClient(app, app.response_class, use_cookies=True)
        login(client, user)
        clients.append(client)
    barrier = threading.Barrier(n)
    responses: list = [None] * n

    def post(i: int) -> None:
        form = make_form()
        barrier.wait()
        responses[i] = clients[i].post(path, **form)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses
