"""Places, the waitlist, withdrawal and re-enrolment; capacity holds under concurrency."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from futuredoctor.enrolment import capacity
from futuredoctor.extensions import db
from futuredoctor.models import Enrolment, EnrolmentStatus, Invitation, Role, User
from futuredoctor.refusals import Refusal
from tests.enrolment.conftest import notifications, post_at_once
from tests.factories import make_cohort, make_user


def test_places_then_waitlist_then_freed_place_goes_to_the_longest_waiting(
    db_session, small_cohort, pilot_admin
):
    people = [make_user(given_name=f"P{i}") for i in range(4)]
    enrolments = [capacity.enrol(p, small_cohort, pilot_admin) for p in people]
    db_session.commit()
    assert [e.status for e in enrolments] == [
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.WAITLISTED,
        EnrolmentStatus.WAITLISTED,
    ]
    assert all(Role.PARTICIPANT in p.roles for p in people)
    assert len(notifications(db_session, "invitation")) == 2
    assert len(notifications(db_session, "enrolment_waitlisted")) == 2

    offered = capacity.withdraw(enrolments[0], pilot_admin)
    db_session.commit()
    assert [e.id for e in offered] == [enrolments[2].id]
    db_session.refresh(enrolments[2])
    assert enrolments[2].status is EnrolmentStatus.ENROLLED
    assert enrolments[3].status is EnrolmentStatus.WAITLISTED
    assert len(notifications(db_session, "invitation", people[2].id)) == 1
    assert len(notifications(db_session, "enrolment_withdrawn", people[0].id)) == 1
    # The withdrawn person's unused invitation no longer works.
    old = db_session.scalar(
        sa.select(Invitation).where(Invitation.enrolment_id == enrolments[0].id)
    )
    assert old.superseded_at is not None


def test_double_enrolment_is_refused_and_withdrawn_people_can_re_enrol(
    db_session, small_cohort, pilot_admin
):
    person = make_user()
    first = capacity.enrol(person, small_cohort, pilot_admin)
    with pytest.raises(Refusal, match="already enrolled in"):
        capacity.enrol(person, small_cohort, pilot_admin)
    capacity.withdraw(first, pilot_admin)
    with pytest.raises(Refusal, match="already been withdrawn"):
        capacity.withdraw(first, pilot_admin)
    again = capacity.enrol(person, small_cohort, pilot_admin)
    db_session.commit()
    assert again.id == first.id  # one row per person and cohort
    assert again.status is EnrolmentStatus.ENROLLED and again.withdrawn_at is None
    invitations = db_session.scalars(
        sa.select(Invitation).where(Invitation.enrolment_id == first.id).order_by(Invitation.id)
    ).all()
    assert [i.superseded_at is None for i in invitations] == [False, True]


def test_withdrawing_a_waitlisted_person_offers_nothing(db_session, small_cohort, pilot_admin):
    enrolments = [capacity.enrol(make_user(), small_cohort, pilot_admin) for _ in range(3)]
    assert capacity.withdraw(enrolments[2], pilot_admin) == []
    assert capacity.seats_taken([small_cohort.id])[small_cohort.id] == 2


def test_roster_actions_withdraw_and_offer(admin_client, db_session, small_cohort, pilot_admin):
    enrolments = [capacity.enrol(make_user(), small_cohort, pilot_admin) for _ in range(3)]
    db_session.commit()
    response = admin_client.post(
        "/cohorts/lon-small/enrolments/withdraw", data={"enrolment_id": enrolments[0].id}
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Enrolment, enrolments[2].id).status is EnrolmentStatus.ENROLLED
    # Missing id: a bad request; another cohort's enrolment: not found.
    assert admin_client.post("/cohorts/lon-small/enrolments/withdraw").status_code == 400
    other = make_cohort(small_cohort.pilot, slug="lon-other")
    stranger = capacity.enrol(make_user(), other, pilot_admin)
    db_session.commit()
    response = admin_client.post(
        "/cohorts/lon-small/enrolments/withdraw", data={"enrolment_id": stranger.id}
    )
    assert response.status_code == 404
    # Re-enrolment goes to the waitlist now the cohort is full again.
    response = admin_client.post(
        "/cohorts/lon-small/enrolments/re-enrol", data={"enrolment_id": enrolments[0].id}
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Enrolment, enrolments[0].id).status is EnrolmentStatus.WAITLISTED


def test_single_enrolment_form_checks_registration_and_eligibility(
    admin_client, db_session, small_cohort
):
    data = {
        "email": "New.Person@Example.NHS.uk",
        "given_name": "New",
        "family_name": "Person",
        "professional_group": "pharmacist",
        "registration_body": "GMC",
        "registration_number": "123",
        "career_stage": "ST3",
    }
    response = admin_client.post("/cohorts/lon-small/enrol", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Pharmacists register with the GPhC, not the GMC" in page
    assert "Small cohort is open to career stages: FY1, FY2, other" in page
    data |= {
        "professional_group": "doctor",
        "registration_number": "71 23 456",
        "career_stage": "FY1",
    }
    response = admin_client.post("/cohorts/lon-small/enrol", data=data)
    assert response.status_code == 302
    enrolment = db_session.scalar(
        sa.select(Enrolment).where(Enrolment.cohort_id == small_cohort.id)
    )
    assert enrolment.user.email == "new.person@example.nhs.uk"
    assert enrolment.user.registration_number == "7123456"
    # The same submission again (a double click) changes nothing.
    response = admin_client.post("/cohorts/lon-small/enrol", data=data)
    assert response.status_code == 400
    assert "already enrolled in Small cohort" in response.get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_fifty_concurrent_enrolments_fill_twenty_places_exactly(app, db_session, london_pilot):
    """Each thread has its own app context, session and connection, as web workers do."""
    cohort = make_cohort(london_pilot, slug="lon-race", capacity=20)
    people = [make_user() for _ in range(50)]
    db_session.commit()
    cohort_id, user_ids = cohort.id, [p.id for p in people]
    barrier = threading.Barrier(50)
    errors: list[BaseException] = []

    def enrol(user_id: int) -> None:
        with app.app_context():
            try:
                from futuredoctor.models import Cohort, User

                barrier.wait()
                capacity.enrol(
                    db.session.get(User, user_id), db.session.get(Cohort, cohort_id), None
                )
                db.session.commit()
            except BaseException as error:  # reported by the assertion below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=enrol, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stmt = (
        sa.select(Enrolment.status, sa.func.count())
        .where(Enrolment.cohort_id == cohort_id)
        .group_by(Enrolment.status)
    )
    counts = {status: n for status, n in db_session.execute(stmt)}
    assert counts == {EnrolmentStatus.ENROLLED: 20, EnrolmentStatus.WAITLISTED: 30}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_same_person_submitted_twice_at_once_is_enrolled_once(
    app, db_session, small_cohort, pilot_admin
):
    """Two submits race to create the account and the enrolment: one wins, the other is
    told the person is already enrolled (never a 500)."""
    data = {
        "email": "race@example.nhs.uk",
        "given_name": "Rae",
        "family_name": "Race",
        "professional_group": "doctor",
        "registration_body": "GMC",
        "registration_number": "7123457",
        "career_stage": "FY1",
    }
    responses = post_at_once(
        app, pilot_admin, "/cohorts/lon-small/enrol", lambda: {"data": dict(data)}
    )
    assert sorted(r.status_code for r in responses) == [302, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert "already enrolled in Small cohort" in refused.get_data(as_text=True)
    db_session.expire_all()
    people = db_session.scalars(sa.select(User).where(User.email == data["email"])).all()
    assert len(people) == 1
    count = sa.select(sa.func.count()).where(Enrolment.user_id == people[0].id)
    assert db_session.scalar(count) == 1


def test_freed_places_are_offered_automatically_and_only_added_ones_wait(
    admin_client, db_session, small_cohort, pilot_admin
):
    """The roster and the docs agree: a withdrawal's place goes to the waitlist by itself;
    places added by raising capacity wait for the administrator, and the roster says why."""
    enrolments = [capacity.enrol(make_user(), small_cohort, pilot_admin) for _ in range(4)]
    capacity.withdraw(enrolments[0], pilot_admin)
    db_session.commit()
    page = admin_client.get("/cohorts/lon-small/roster").get_data(as_text=True)
    assert "Places are free" not in page  # nothing left to do by hand
    small_cohort.capacity += 1
    db_session.commit()
    page = admin_client.get("/cohorts/lon-small/roster").get_data(as_text=True)
    assert "Places are free" in page and "raised capacity" in page
    assert "freed by a withdrawal is offered automatically" in page
    docs = (Path(__file__).parents[2] / "docs/roles/pilot-administrator.md").read_text()
    assert "withdrawal is offered to the longest-waiting person automatically" in docs
    assert admin_client.post("/cohorts/lon-small/waitlist/offer").status_code == 302
    db_session.expire_all()
    assert db_session.get(Enrolment, enrolments[3].id).status is EnrolmentStatus.ENROLLED
