"""The invitations overview across a pilot administrator's cohorts, and bulk resend."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from futuredoctor.enrolment import capacity
from futuredoctor.models import AuditEvent, Invitation, utcnow
from tests.enrolment.conftest import notifications
from tests.factories import current_cohorts, make_cohort, make_user


@pytest.fixture
def invited(db_session, small_cohort, london_pilot, pilot_admin):
    """Two people waiting in the small cohort, one in another London cohort, one who
    accepted; every link was sent two days ago."""
    other = make_cohort(london_pilot, slug="lon-other", name="Other cohort")
    people = []
    for n, cohort in enumerate([small_cohort, small_cohort, other, other]):
        person = make_user(email=f"person{n}@example.nhs.uk", family_name=f"Person{n}")
        person.password_hash = None
        people.append(capacity.enrol(person, cohort, pilot_admin))
    db_session.flush()
    for invitation in db_session.scalars(sa.select(Invitation)):
        invitation.created_at = utcnow() - timedelta(days=2)
        if invitation.enrolment_id == people[3].id:
            invitation.accepted_at = utcnow() - timedelta(days=1)
    db_session.commit()
    return people


def test_overview_lists_who_has_not_accepted_across_cohorts(admin_client, invited):
    response = admin_client.get("/pending-invitations")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for n in range(3):
        assert f"person{n}@example.nhs.uk" in page
    assert "person3@example.nhs.uk" not in page  # accepted
    assert "Showing 1 to 3 of 3" in page
    assert "0 times" in page
    other = invited[2].cohort_id
    page = admin_client.get(f"/pending-invitations?cohort={other}").get_data(as_text=True)
    assert "person2@example.nhs.uk" in page and "person0@example.nhs.uk" not in page


def test_a_cohort_outside_your_pilot_is_not_found(admin_client, invited, db_session):
    sw = current_cohorts()["sw-current"]
    assert admin_client.get(f"/pending-invitations?cohort={sw.id}").status_code == 404
    assert admin_client.get("/pending-invitations?cohort=abc").status_code == 404


def test_bulk_resend_goes_through_the_outbox_once_per_day(admin_client, db_session, invited):
    ids = [invited[0].id, invited[1].id, invited[3].id]  # the last one accepted already
    before = len(notifications(db_session, "invitation"))
    response = admin_client.post(
        "/pending-invitations/resend", data={"enrolment_id": [str(i) for i in ids]}
    )
    assert response.status_code == 302
    assert len(notifications(db_session, "invitation")) == before + 2
    flashed = admin_client.get("/pending-invitations").get_data(as_text=True)
    assert "Sent 2 new invitations." in flashed
    assert "1 no longer waiting" in flashed
    assert "1 time" in flashed and "Sent recently" in flashed
    # The same click again sends nothing: everyone chosen had a link today.
    admin_client.post("/pending-invitations/resend", data={"enrolment_id": [str(ids[0])]})
    assert len(notifications(db_session, "invitation")) == before + 2
    assert "1 not sent" in admin_client.get("/pending-invitations").get_data(as_text=True)
    events = db_session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "invitation.resent_in_bulk")
    ).all()
    assert [e.details["sent"] for e in events] == [2]


def test_resend_ignores_people_outside_your_pilot_and_junk(admin_client, db_session, invited):
    outsider = make_user(email="sw.person@example.nhs.uk")
    enrolment = capacity.enrol(outsider, current_cohorts()["sw-current"], None)
    db_session.commit()
    before = len(notifications(db_session, "invitation"))
    admin_client.post(
        "/pending-invitations/resend", data={"enrolment_id": [str(enrolment.id), "x", "-1"]}
    )
    assert len(notifications(db_session, "invitation")) == before
    response = admin_client.post("/pending-invitations/resend", data={})
    assert response.status_code == 302
    assert "Choose at least one person" in admin_client.get("/pending-invitations").get_data(
        as_text=True
    )
