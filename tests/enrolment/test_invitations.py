"""Invitation links: accept with a password and a consent choice; clear pages for
invalid, expired, replaced, used and withdrawn links; asking for a new link."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from futuredoctor.enrolment import capacity, invitations
from futuredoctor.models import ConsentRecord, Invitation, Role, utcnow
from tests.enrolment.conftest import notifications
from tests.factories import make_user
from tests.helpers import login


@pytest.fixture
def invited(db_session, small_cohort, pilot_admin):
    person = make_user(email="new.starter@example.nhs.uk")
    person.password_hash = None
    enrolment = capacity.enrol(person, small_cohort, pilot_admin)
    db_session.commit()
    return enrolment


def _link(db_session, enrolment) -> str:
    sent = notifications(db_session, "invitation", enrolment.user_id)[-1]
    return urlsplit(sent.payload["link"]).path


def test_accepting_sets_the_password_records_consent_and_signs_in(client, db_session, invited):
    path = _link(db_session, invited)
    page = client.get(path)
    assert page.status_code == 200
    assert "Accept your place in Small cohort" in page.get_data(as_text=True)
    response = client.post(path, data={"password": "short", "confirm": "short"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Password must be between 12 and 1024 characters" in body
    assert "Select yes or no for research use" in body
    good = {"password": "a-long-enough-secret", "confirm": "a-long-enough-secret", "consent": "no"}
    response = client.post(path, data=good)
    assert response.status_code == 302
    db_session.expire_all()
    assert invited.user.password_hash is not None
    records = db_session.scalars(
        sa.select(ConsentRecord).where(ConsentRecord.enrolment_id == invited.id)
    ).all()
    assert [r.given for r in records] == [False]
    assert Role.PARTICIPANT in invited.user.roles
    assert client.get("/account/research-consent").status_code == 200  # signed in
    # A double-clicked accept lands home; the link is used up for everyone else.
    assert client.post(path, data=good).status_code == 302
    client.post("/sign-out")
    page = client.get(path).get_data(as_text=True)
    assert "This invitation has already been accepted" in page


def test_bad_expired_and_replaced_links_explain_and_offer_a_new_one(
    client, db_session, invited, pilot_admin
):
    page = client.get("/invitations/not-a-token").get_data(as_text=True)
    assert "This invitation link is not valid" in page
    path = _link(db_session, invited)
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert "not valid" in client.get(tampered).get_data(as_text=True)

    invitation = db_session.scalar(
        sa.select(Invitation).where(Invitation.enrolment_id == invited.id)
    )
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "This invitation link has expired" in page and "Email me a new link" in page
    response = client.post(path + "/renew")
    assert response.status_code == 302 and response.location.endswith("/invitations/sent")
    assert len(notifications(db_session, "invitation", invited.user_id)) == 2
    assert "has been replaced" in client.get(path).get_data(as_text=True)
    # Asking again at once re-uses the link just sent rather than filling the inbox.
    client.post(path + "/renew")
    assert len(notifications(db_session, "invitation", invited.user_id)) == 2
    new_path = _link(db_session, invited)
    assert client.get(new_path).status_code == 200

    capacity.withdraw(invited, pilot_admin)
    db_session.commit()
    assert "no longer available" in client.get(new_path).get_data(as_text=True)


def test_signature_expiry_is_enforced_too(app, db_session, invited):
    app.config["ENROLMENT_INVITATION_DAYS"] = 0
    invitation = db_session.scalar(
        sa.select(Invitation).where(Invitation.enrolment_id == invited.id)
    )
    token = invitations.token_for(invitation)
    import time

    time.sleep(1.1)
    assert invitations.resolve(token).state is invitations.LinkState.EXPIRED


def test_request_a_new_link_by_email_never_reveals_who_is_enrolled(client, db_session, invited):
    for email in ("nobody@example.nhs.uk", "NEW.STARTER@example.nhs.uk"):
        response = client.post("/invitations/request", data={"email": email})
        assert response.status_code == 302
        assert response.location.endswith("/invitations/sent")
    invitation = db_session.scalars(
        sa.select(Invitation).where(Invitation.enrolment_id == invited.id)
    ).all()
    assert len(invitation) == 1  # the first link is still fresh: no second one needed
    response = client.post("/invitations/request", data={"email": "not-an-email"})
    assert response.status_code == 400


def test_people_with_an_account_sign_in_to_accept(client, db_session, small_cohort, pilot_admin):
    person = make_user(email="has.account@example.nhs.uk")
    enrolment = capacity.enrol(person, small_cohort, pilot_admin)
    db_session.commit()
    path = _link(db_session, enrolment)
    assert "Sign in to accept your place" in client.get(path).get_data(as_text=True)
    login(client, person)
    page = client.get(path).get_data(as_text=True)
    assert "Create a password" not in page
    response = client.post(path, data={"consent": "yes"})
    assert response.status_code == 302
    assert db_session.scalar(
        sa.select(ConsentRecord.given).where(ConsentRecord.enrolment_id == enrolment.id)
    )
