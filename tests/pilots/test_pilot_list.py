"""The list of pilots: one row per pilot in scope, at a cost that does not grow with the
pilots' cohorts or people."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.models import Cohort, Pilot, Role
from tests.factories import make_cohort, make_enrolment, make_user
from tests.helpers import login


def test_pilots_list_each_pilot_in_scope_with_its_number_of_cohorts(
    client, db_session, count_queries
):
    london = db_session.scalar(sa.select(Pilot).where(Pilot.slug == "lon-inclusion-health"))
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db_session.commit()
    login(client, admin)
    with count_queries() as few:
        page = client.get("/pilots")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    every = db_session.scalars(sa.select(Pilot)).all()
    assert all(f'href="/pilots/{p.slug}"' in body for p in every)
    before = db_session.scalar(sa.select(sa.func.count()).where(Cohort.pilot_id == london.id))
    for n in range(3):
        cohort = make_cohort(london, slug=f"lon-list-{n}")
        for _ in range(3):
            make_enrolment(make_user(), cohort)
    db_session.commit()
    with count_queries() as many:
        body = client.get("/pilots").get_data(as_text=True)
    assert len(many) == len(few)
    row = body[body.index(f'href="/pilots/{london.slug}"') :]
    row = row[: row.index("</tr>")]
    assert f">{before + 3}</td>" in row
    assert "lon-list-0" not in body  # cohorts are listed on each pilot's own page


def test_pilots_list_only_the_pilots_in_scope(client, db_session):
    london = db_session.scalar(sa.select(Pilot).where(Pilot.slug == "lon-inclusion-health"))
    educator = make_user(roles=[(Role.LEAD_EDUCATOR, london)])
    db_session.commit()
    login(client, educator)
    body = client.get("/pilots").get_data(as_text=True)
    assert 'href="/pilots/lon-inclusion-health"' in body
    assert 'href="/pilots/sw-remote-rural-coastal"' not in body
