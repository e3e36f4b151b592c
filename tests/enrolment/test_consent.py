"""Research consent on the account page: change at any time, history kept."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.enrolment import consent
from futuredoctor.models import ConsentRecord, ConsentStatement, Role
from tests.factories import make_enrolment, make_user
from tests.helpers import login


def test_participant_changes_their_choice_and_sees_the_history(client, db_session, small_cohort):
    person = make_user(roles=[(Role.PARTICIPANT, None)])
    enrolment = make_enrolment(person, small_cohort, consent=True)
    other = make_enrolment(make_user(), small_cohort, consent=True)
    db_session.commit()
    login(client, person)
    page = client.get("/account/research-consent").get_data(as_text=True)
    assert "Agreed" in page and "Small cohort" in page
    response = client.post(
        "/account/research-consent", data={"enrolment_id": enrolment.id, "consent": "no"}
    )
    assert response.status_code == 302
    # The same choice again adds no history; an empty choice is an error.
    client.post("/account/research-consent", data={"enrolment_id": enrolment.id, "consent": "no"})
    response = client.post("/account/research-consent", data={"enrolment_id": enrolment.id})
    assert response.status_code == 400
    assert "Select yes or no for research use" in response.get_data(as_text=True)
    records = db_session.scalars(
        sa.select(ConsentRecord)
        .where(ConsentRecord.enrolment_id == enrolment.id)
        .order_by(ConsentRecord.id)
    ).all()
    assert [r.given for r in records] == [True, False]
    page = client.get("/account/research-consent").get_data(as_text=True)
    assert page.count("Declined") >= 2 and "Agreed" in page
    # Somebody else's enrolment: not found, and nothing recorded.
    response = client.post(
        "/account/research-consent", data={"enrolment_id": other.id, "consent": "no"}
    )
    assert response.status_code == 404


def test_a_new_statement_version_is_recorded_against(db_session, small_cohort):
    person = make_user()
    enrolment = make_enrolment(person, small_cohort, consent=True)
    db_session.add(ConsentStatement(version=2, body="Updated wording"))
    db_session.flush()
    record = consent.record_choice(enrolment, True, person)
    assert record is not None and record.statement.version == 2
    assert consent.record_choice(enrolment, True, person) is None
