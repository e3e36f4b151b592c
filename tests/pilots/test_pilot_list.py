"""The list of pilots: one row per pilot in scope, at a cost that does not grow with the
pilots' cohorts or people."""

from __future__ import annotations

import re

import pytest
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


def test_pages_list_the_next_scheduled_releases_with_version_and_cohort(
    client, db_session, count_queries, frozen_now
):
    """Only releases still to come, soonest first, each with its version's label and its
    cohort; past and withdrawn releases are not listed."""
    from datetime import timedelta

    from futuredoctor.models import ReleaseStatus
    from futuredoctor.pilots.services import upcoming_and_released, upcoming_releases
    from tests.factories import make_current_cohort, make_module, make_release

    cohort = make_current_cohort("LON", "lon-upcoming", "Upcoming cohort")
    first = make_module("upcoming-a", title="Breaking bad news").versions[0]
    second = make_module("upcoming-b", title="Frailty at home").versions[0]
    make_release(second, cohort, days_from_now=9)
    make_release(first, cohort, days_from_now=2)
    make_release(make_module("upcoming-c").versions[0], cohort, days_from_now=-1)  # released
    withdrawn = make_release(make_module("upcoming-d").versions[0], cohort, days_from_now=5)
    withdrawn.status = ReleaseStatus.WITHDRAWN
    lead = make_user(roles=[(Role.LEAD_EDUCATOR, cohort.pilot)])
    db_session.commit()
    cohort_id = cohort.id
    with count_queries() as statements:
        upcoming = upcoming_releases([cohort_id])
    assert len(statements) == 1
    assert [(u.label, u.cohort_name) for u in upcoming] == [
        ("Breaking bad news (version 1)", "Upcoming cohort"),
        ("Frailty at home (version 1)", "Upcoming cohort"),
    ]
    assert upcoming[1].release_at - upcoming[0].release_at == timedelta(days=7)
    # The region page asks how many are out in the same statement; alone when none is to come.
    with count_queries() as statements:
        both = upcoming_and_released([cohort_id])
    assert (both, len(statements)) == ((upcoming, 1), 1)
    assert upcoming_and_released([cohort_id], limit=0) == ([], 1)
    login(client, lead)
    page = client.get("/cohorts/lon-upcoming").get_data(as_text=True)
    table = page[page.index("<h2>Upcoming releases</h2>") :]
    table = table[: table.index("</table>")]
    assert table.index("Breaking bad news (version 1)") < table.index("Frailty at home")
    assert table.count("Upcoming cohort") == 2


@pytest.mark.parametrize(
    ("url", "shown", "never_alone"),
    [
        # the region's pilots with their cohorts in one statement
        ("/regions/LON", 'href="/pilots/lon-inclusion-health"', "cohort"),
        # a pilot from the URL with its region and cohorts
        ("/pilots/lon-inclusion-health", "London", "region|cohort"),
    ],
)
def test_region_and_pilot_pages_read_what_they_name_with_the_record(
    client, db_session, count_queries, url, shown, never_alone
):
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db_session.commit()
    login(client, admin)
    db_session.expire_all()
    with count_queries() as statements:
        body = client.get(url).get_data(as_text=True)
    assert shown in body
    alone = [s for s in statements if re.search(rf"FROM ({never_alone})\s*\nWHERE", s)]
    assert not alone, "read one by one after the record"
    # Places come with each cohort row (kept by the database), not from counting enrolments.
    assert not [s for s in statements if "FROM enrolment" in s]
