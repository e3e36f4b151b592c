"""The staff homes' counts come from stored summaries for the viewer's scope, with when
they were counted: a visit reads no feedback, mentoring, consent or account rows."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from futuredoctor.main import figures
from futuredoctor.models import Role
from tests.factories import current_cohorts, make_enrolment, make_user
from tests.helpers import login

# A statement reading the rows a home page used to count on every visit.
_COUNTED = {
    "lead educator": re.compile(r"FROM (feedback_item|mentorship)\b"),
    "evaluator": re.compile(r"FROM consent_record\b"),
    "national admin": re.compile(r"count\(\*\) AS count_\d+\s*\nFROM user_account(\)|$)"),
}
_AS_OF = {
    "lead educator": 'id="lead-educator-as-of"',
    "evaluator": "consent to research use of their data (as of",
    "national admin": 'id="totals-as-of"',
}


@pytest.mark.parametrize("who", list(_COUNTED))
def test_staff_homes_show_stored_counts_and_when_they_were_counted(
    app: Flask, db_session, count_queries, who: str
) -> None:
    app.config["SUMMARY_MAX_AGE_SECONDS"] = 3600  # as served: stored figures are read
    london = current_cohorts()["lon-current"]
    role, scope = {
        "lead educator": (Role.LEAD_EDUCATOR, london.pilot),
        "evaluator": (Role.EVALUATOR, london.pilot.region),
        "national admin": (Role.NATIONAL_ADMIN, None),
    }[who]
    viewer = make_user(roles=[(role, scope)])
    db_session.commit()
    client = app.test_client()
    login(client, viewer)
    assert client.get("/").status_code == 200  # the first visit counts and stores
    db_session.expire_all()
    with count_queries() as statements:
        body = client.get("/").get_data(as_text=True)
    assert _AS_OF[who] in body
    assert not [s for s in statements if _COUNTED[who].search(s)], "counted on the visit"


def test_a_stored_count_changes_when_refreshed_not_on_the_next_visit(
    app: Flask, db_session
) -> None:
    """What the "as of" line promises: figures move with the scheduler's refresh."""
    from futuredoctor.scheduler import run_job

    app.config["SUMMARY_MAX_AGE_SECONDS"] = 3600
    before, _ = figures.totals()
    make_enrolment(make_user(), current_cohorts()["lon-current"])
    db_session.commit()
    assert figures.totals()[0] == before
    assert run_job(app, "refresh_summaries") is not None
    after, _ = figures.totals()
    assert after["Users"] == before["Users"] + 1


def test_the_educator_overview_shows_stored_figures_and_when_they_were_counted(
    app: Flask, db_session, count_queries
) -> None:
    app.config["SUMMARY_MAX_AGE_SECONDS"] = 3600
    lead = make_user(roles=[(Role.REGIONAL_LEAD, current_cohorts()["lon-current"].pilot.region)])
    db_session.commit()
    client = app.test_client()
    login(client, lead)
    assert client.get("/educators/overview").status_code == 200  # counts and stores
    db_session.expire_all()
    with count_queries() as statements:
        body = client.get("/educators/overview").get_data(as_text=True)
    assert 'id="overview-as-of"' in body
    assert not [s for s in statements if re.search(r"FROM (self_assessment|mentorship)\b", s)]


def test_a_regional_leads_home_names_their_regions_and_pilots_from_what_it_has(
    app: Flask, db_session, count_queries
) -> None:
    """The regions come from the kept content choices and the pilots with their regions in
    one statement (each region was read again, twice)."""
    pilot = current_cohorts()["lon-current"].pilot
    region = pilot.region
    lead = make_user(roles=[(Role.REGIONAL_LEAD, region)])
    db_session.commit()
    names = (region.name, region.code, pilot.name)
    client = app.test_client()
    login(client, lead)
    client.get("/")
    db_session.remove()
    with count_queries() as statements:
        body = client.get("/").get_data(as_text=True)
    assert f"{names[0]} region overview" in body and f"/regions/{names[1]}" in body
    assert names[2] in body
    alone = [s for s in statements if s.startswith("SELECT region.") and "JOIN" not in s]
    assert not alone
