"""Requests to join: the public form with eligibility checks, and the decision."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.models import (
    Enrolment,
    EnrolmentStatus,
    JoinRequest,
    JoinRequestStatus,
    Pilot,
    Role,
    User,
)
from tests.enrolment.conftest import notifications
from tests.factories import days_from_today, make_cohort, make_user
from tests.helpers import login

APPLICANT = {
    "email": "Keen.Person@Example.nhs.uk",
    "given_name": "Keen",
    "family_name": "Person",
    "professional_group": "nurse",
    "registration_body": "NMC",
    "registration_number": "12A3456E",
    "career_stage": "other",
    "employer": "A trust",
    "message": "Please",
}


def test_public_request_is_checked_recorded_once_and_approved(
    client, db_session, small_cohort, pilot_admin
):
    response = client.post("/join/lon-small", data=APPLICANT | {"professional_group": "pharmacist"})
    assert response.status_code == 400
    assert "Small cohort is open to: doctor, nurse" in response.get_data(as_text=True)
    for _ in range(2):  # a resubmitted form is one request
        response = client.post("/join/lon-small", data=APPLICANT)
        assert response.status_code == 302
    requests = db_session.scalars(sa.select(JoinRequest)).all()
    assert len(requests) == 1 and requests[0].email == "keen.person@example.nhs.uk"
    assert len(notifications(db_session, "join_request", pilot_admin.id)) == 1

    login(client, pilot_admin)
    page = client.get("/join-requests").get_data(as_text=True)
    assert "Keen Person" in page
    response = client.post(
        "/join-requests/decide", data={"request_id": requests[0].id, "decision": "approve"}
    )
    assert response.status_code == 302
    user = db_session.scalar(sa.select(User).where(User.email == "keen.person@example.nhs.uk"))
    enrolment = db_session.scalar(sa.select(Enrolment).where(Enrolment.user_id == user.id))
    assert enrolment.status is EnrolmentStatus.ENROLLED
    assert len(notifications(db_session, "invitation", user.id)) == 1
    # Deciding twice does nothing more.
    client.post("/join-requests/decide", data={"request_id": requests[0].id, "decision": "decline"})
    db_session.expire_all()
    assert db_session.get(JoinRequest, requests[0].id).status is JoinRequestStatus.APPROVED


def test_closed_window_and_unknown_cohort(client, db_session, london_pilot):
    make_cohort(
        london_pilot,
        slug="lon-closed",
        enrolment_opens=days_from_today(-90),
        enrolment_closes=days_from_today(-1),
        starts_on=days_from_today(-60),
    )
    db_session.commit()
    page = client.get("/join/lon-closed").get_data(as_text=True)
    assert "The form is not open now" in page
    response = client.post("/join/lon-closed", data=APPLICANT)
    assert response.status_code == 200
    assert db_session.scalar(sa.select(sa.func.count()).select_from(JoinRequest)) == 0
    assert client.get("/join/no-such-cohort").status_code == 404


def test_decline_with_reason_and_other_pilots_requests_are_not_found(
    client, db_session, small_cohort, pilot_admin
):
    sw = db_session.scalar(sa.select(Pilot).where(Pilot.slug == "sw-remote-rural-coastal"))
    sw_cohort = make_cohort(
        sw,
        slug="sw-open",
        enrolment_opens=small_cohort.enrolment_opens,
        enrolment_closes=small_cohort.enrolment_closes,
        starts_on=small_cohort.starts_on,
        ends_on=small_cohort.ends_on,
    )
    existing = make_user(email="keen.person@example.nhs.uk")
    db_session.commit()
    client.post("/join/lon-small", data=APPLICANT)
    client.post(
        "/join/sw-open",
        data=APPLICANT
        | {
            "professional_group": "doctor",
            "registration_body": "GMC",
            "registration_number": "7123456",
            "career_stage": "FY1",
        },
    )
    london, south_west = (
        db_session.scalar(sa.select(JoinRequest).where(JoinRequest.cohort_id == c.id))
        for c in (small_cohort, sw_cohort)
    )
    login(client, pilot_admin)
    page = client.get("/join-requests").get_data(as_text=True)
    assert "Small cohort" in page and "sw-open" not in page
    response = client.post(
        "/join-requests/decide", data={"request_id": south_west.id, "decision": "approve"}
    )
    assert response.status_code == 404
    response = client.post(
        "/join-requests/decide",
        data={"request_id": london.id, "decision": "decline", "reason": "Cohort is for London"},
    )
    assert response.status_code == 302
    declined = notifications(db_session, "join_request_declined", existing.id)
    assert len(declined) == 1 and "Cohort is for London" in declined[0].body
    assert make_user(roles=[(Role.PARTICIPANT, None)])  # participants cannot see the list


def test_request_sent_is_said_only_to_whoever_sent_one(app, client, db_session, small_cohort):
    unasked = client.get("/join/lon-small/requested")
    assert unasked.status_code == 302 and unasked.location.endswith("/join/lon-small")
    assert client.post("/join/lon-small", data=APPLICANT).status_code == 302
    assert client.get("/join/lon-small/requested").status_code == 200
    assert app.test_client().get("/join/lon-small/requested").status_code == 302


def test_typed_digits_in_any_script_are_one_registration_number(client, db_session, small_cohort):
    arabic_indic = APPLICANT | {"registration_number": "١٢A٣٤٥٦E"}
    assert client.post("/join/lon-small", data=arabic_indic).status_code == 302
    stored = db_session.scalars(sa.select(JoinRequest)).one()
    assert stored.registration_number == "12A3456E"
