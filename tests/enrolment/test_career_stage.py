"""Career stage for professional groups without training grades, and job titles in a roster.

Nurses, midwives, pharmacists and allied health professionals have no FY/CT/ST grade: they
leave the career stage blank and it is stored as "not applicable". A cohort's eligible
career stages list training grades only, so those people are judged by their group alone.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from futuredoctor.enrolment.registration import eligibility_problems, normalise_group
from futuredoctor.models import Enrolment, User
from futuredoctor.models.user import STAGE_NOT_APPLICABLE
from tests.enrolment.test_csv_import import _csv, _upload, report
from tests.factories import make_cohort


@pytest.mark.parametrize(
    ("raw", "group"),
    [
        ("Paramedic", "allied_health"),
        ("physiotherapists", "allied_health"),
        ("Occupational Therapist", "allied_health"),
        ("occupational-therapist", "allied_health"),
        ("Radiographer", "allied_health"),
        ("dietitian", "allied_health"),
        ("Pharmacist", "pharmacist"),
        ("Registered Nurse", "nurse"),
        ("nurses", "nurse"),
        ("Midwife", "midwife"),
        ("midwives", "midwife"),
        ("Doctor", "doctor"),
        ("GP", "doctor"),
        ("allied_health", "allied_health"),
        ("Allied health professional", "allied_health"),
        ("astronaut", None),
    ],
)
def test_common_profession_names_map_to_their_group(raw, group):
    assert normalise_group(raw) == group


def test_not_applicable_passes_any_stage_list_but_the_group_still_counts(db_session, london_pilot):
    cohort = make_cohort(
        london_pilot,
        eligible_professional_groups=["doctor", "nurse"],
        eligible_career_stages=["FY1"],
    )
    assert eligibility_problems(cohort, "nurse", STAGE_NOT_APPLICABLE) == []
    assert [p.field for p in eligibility_problems(cohort, "pharmacist", STAGE_NOT_APPLICABLE)] == [
        "professional_group"
    ]
    assert [p.field for p in eligibility_problems(cohort, "doctor", "ST3")] == ["career_stage"]


def test_csv_blank_stage_is_not_applicable_for_groups_without_grades(
    admin_client, db_session, small_cohort
):
    small_cohort.eligible_professional_groups = ["doctor", "nurse", "allied_health"]
    db_session.commit()
    rows = [
        "pat@example.nhs.uk,Pat,Lane,Paramedic,HCPC,PA123456,,,lon-small",
        "nia@example.nhs.uk,Nia,Shah,nurse,NMC,12A3456E,n/a,,lon-small",
    ]
    response = _upload(admin_client, _csv(*rows))
    assert response.status_code == 302, response.get_data(as_text=True)
    people = db_session.scalars(
        sa.select(User).where(User.email.in_(["pat@example.nhs.uk", "nia@example.nhs.uk"]))
    )
    assert {(u.professional_group, u.career_stage) for u in people} == {
        ("allied_health", STAGE_NOT_APPLICABLE),
        ("nurse", STAGE_NOT_APPLICABLE),
    }


def test_csv_blank_stage_is_still_refused_for_doctors(admin_client, db_session, small_cohort):
    rows = ["doc@example.nhs.uk,Dee,Oak,doctor,GMC,7123456,,,lon-small"]
    response = _upload(admin_client, _csv(*rows))
    assert response.status_code == 400
    found = report(response.get_data(as_text=True))
    assert [(r, c) for r, c, _ in found] == [(2, "career_stage")]
    assert "doctors give their training grade" in found[0][2]
    assert db_session.scalar(sa.select(User).where(User.email == "doc@example.nhs.uk")) is None


def _person(**changes: str) -> dict[str, str]:
    return {
        "email": "lee@example.nhs.uk",
        "given_name": "Lee",
        "family_name": "Park",
        "professional_group": "nurse",
        "registration_body": "NMC",
        "registration_number": "12A3456E",
        "career_stage": "",
        **changes,
    }


def test_enrol_form_stores_not_applicable_for_a_nurse(admin_client, db_session, small_cohort):
    page = admin_client.get("/cohorts/lon-small/enrol").get_data(as_text=True)
    assert "Not applicable (no training grade)" in page
    response = admin_client.post("/cohorts/lon-small/enrol", data=_person())
    assert response.status_code == 302, response.get_data(as_text=True)
    enrolment = db_session.scalar(
        sa.select(Enrolment).where(Enrolment.cohort_id == small_cohort.id)
    )
    assert enrolment.user.career_stage == STAGE_NOT_APPLICABLE


def test_enrol_form_asks_a_doctor_for_their_grade(admin_client, db_session, small_cohort):
    data = _person(
        professional_group="doctor", registration_body="GMC", registration_number="7123456"
    )
    response = admin_client.post("/cohorts/lon-small/enrol", data=data)
    assert response.status_code == 400
    assert "Select a career stage (doctors give their training grade)" in response.get_data(
        as_text=True
    )
    assert db_session.scalar(sa.select(User).where(User.email == "lee@example.nhs.uk")) is None
