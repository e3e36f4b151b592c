"""Enrolment demo data: a pending invitation, a waitlisted person and a request to join, in a
cohort whose enrolment window is open the day the demo runs. Repeatable: each record is
looked up by its natural key before it is created."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.enrolment import capacity
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    JoinRequest,
    User,
    utcnow,
)

DOMAIN = "example.nhs.uk"


def create_enrolment_demo(pilot_admin: User, cohort: Cohort) -> None:
    invited = _person("noah.clarke", "Noah", "Clarke", "doctor", "GMC", "7654321", "FY1")
    if _enrolment(invited, cohort) is None:
        capacity.enrol(invited, cohort, pilot_admin)  # queues the invitation email
    waiting = _person("grace.oduya", "Grace", "Oduya", "nurse", "NMC", "18B2345C", "other")
    if _enrolment(waiting, cohort) is None:
        capacity.ensure_participant(waiting)
        db.session.add(
            Enrolment(
                user=waiting,
                cohort=cohort,
                status=EnrolmentStatus.WAITLISTED,
                waitlisted_at=utcnow(),
            )
        )
    email = f"aisha.begum@{DOMAIN}"
    if not db.session.scalar(sa.select(sa.exists().where(JoinRequest.email == email))):
        db.session.add(
            JoinRequest(
                cohort=cohort,
                email=email,
                given_name="Aisha",
                family_name="Begum",
                professional_group="pharmacist",
                registration_body="GPhC",
                registration_number="2123456",
                career_stage="other",
                employer="London demo community pharmacy",
                message="I work with a homeless health outreach team two days a week.",
            )
        )
    db.session.flush()


def _person(local: str, given: str, family: str, group: str, body: str, number: str, stage: str):
    email = f"{local}@{DOMAIN}"
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            given_name=given,
            family_name=family,
            professional_group=group,
            registration_body=body,
            registration_number=number,
            career_stage=stage,
            employer="London demo NHS trust",
        )
        db.session.add(user)
        db.session.flush()
    return user


def _enrolment(user: User, cohort: Cohort) -> Enrolment | None:
    return db.session.scalar(
        sa.select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.cohort_id == cohort.id)
    )
