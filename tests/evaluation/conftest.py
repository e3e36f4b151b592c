"""A small study: consenting, non-consenting and out-of-scope participants with progress,
feedback (some of it hostile to spreadsheets), a co-design session and a status history."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import (
    CodesignSession,
    ConsentRecord,
    Enrolment,
    EvaluationProject,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    FeedbackStatusChange,
    FeedbackTag,
    Module,
    Pilot,
    Progress,
    Region,
    Role,
    User,
    utcnow,
)
from tests.evaluation.projects import make_project
from tests.factories import (
    current_cohorts,
    days_from_today,
    make_enrolment,
    make_release,
    make_user,
)

HOSTILE_TEXT = '=HYPERLINK("http://evil.example","click")\twith a tab, "quotes",\nand a new line'
REFLECTION = "MY PRIVATE REFLECTION about a patient"
HIDDEN_TEXT = "FEEDBACK FROM SOMEONE WITHOUT CONSENT"


@dataclass
class Study:
    evaluator: User
    consenting: User
    enrolment: Enrolment
    refusing: User
    unasked: User
    elsewhere: User
    item: FeedbackItem
    session: CodesignSession
    project: EvaluationProject

    @property
    def people(self) -> list[User]:
        return [self.consenting, self.refusing, self.unasked, self.elsewhere, self.evaluator]


def _one(model: Any, **where: Any) -> Any:
    return db.session.scalar(sa.select(model).filter_by(**where))


def _activity(enrolment: Enrolment, release: Any, text: str, days_ago: int) -> FeedbackItem:
    done = utcnow() - timedelta(days=days_ago)
    db.session.add(
        Progress(
            enrolment=enrolment,
            release=release,
            started_at=done - timedelta(hours=2),
            completed_at=done,
            reflection=REFLECTION,
            reflection_updated_at=done,
        )
    )
    item = FeedbackItem(
        module_version_id=release.module_version_id,
        enrolment=enrolment,
        source=FeedbackSource.PARTICIPANT,
        relevance=4,
        quality=5,
        applicability=3,
        text=text,
        created_at=done,
    )
    db.session.add(item)
    return item


@pytest.fixture
def study(app: Any) -> Study:
    # One consenting person: k-anonymity is tested on its own (test_kanonymity.py).
    app.config["EXPORT_K_ANONYMITY"] = 1
    london = _one(Region, code="LON")
    cohorts = current_cohorts()
    lon_cohort, sw_cohort = cohorts["lon-current"], cohorts["sw-current"]
    version = _one(Module, slug="shared-decision-making").latest
    lon_release = make_release(version, lon_cohort, days_from_now=-20)
    sw_release = make_release(version, sw_cohort, days_from_now=-20)

    evaluator = make_user(
        email="eve.evaluator@example.nhs.uk",
        roles=[(Role.EVALUATOR, london)],
        given_name="Evelyn",
        family_name="Evaluatorson",
    )

    def person(email: str, given: str, family: str, number: str, stage: str) -> User:
        return make_user(
            email=email,
            given_name=given,
            family_name=family,
            professional_group="doctor",
            registration_body="GMC",
            registration_number=number,
            career_stage=stage,
            employer="Quillfeather NHS Trust",
            roles=[(Role.PARTICIPANT, None)],
        )

    consenting = person("zebedee.q@example.nhs.uk", "Zebedee", "Quartermaine", "7990001", "FY1")
    refusing = person("ophelia.n@example.nhs.uk", "Ophelia", "Nonconsenta", "7990002", "FY2")
    unasked = person("ulric.u@example.nhs.uk", "Ulric", "Unaskedson", "7990003", "FY1")
    elsewhere = person("sian.sw@example.nhs.uk", "Sian", "Southwesterly", "7990004", "FY1")

    enrolment = make_enrolment(consenting, lon_cohort, consent=True)
    item = _activity(enrolment, lon_release, HOSTILE_TEXT, days_ago=3)
    _activity(make_enrolment(refusing, lon_cohort, consent=False), lon_release, HIDDEN_TEXT, 3)
    _activity(make_enrolment(unasked, lon_cohort), lon_release, HIDDEN_TEXT, 3)
    _activity(make_enrolment(elsewhere, sw_cohort, consent=True), sw_release, HIDDEN_TEXT, 3)

    pilot = _one(Pilot, slug="lon-inclusion-health")
    session = CodesignSession(
        pilot=pilot,
        held_on=days_from_today(-5),
        title="+Autumn living lab",
        participants_count=6,
        educators_count=2,
        patients_public_count=3,
        other_professionals_count=1,
        notes="@notes from the session",
    )
    db.session.add(session)
    db.session.add(
        FeedbackItem(
            module_version_id=version.id,
            source=FeedbackSource.CODESIGN_SESSION,
            codesign_session=session,
            text="Add a community example",
            relevance=5,
            quality=4,
            applicability=5,
        )
    )
    item.tags = [FeedbackTag(name="handover"), FeedbackTag(name="case studies")]
    item.status = FeedbackStatus.UNDER_REVIEW
    db.session.add(
        FeedbackStatusChange(
            feedback_item=item, status=FeedbackStatus.UNDER_REVIEW, note="-looking into it"
        )
    )
    project = make_project("Generalist skills evaluation", ["region:LON"], [(evaluator, True)])
    db.session.commit()
    return Study(
        evaluator, consenting, enrolment, refusing, unasked, elsewhere, item, session, project
    )


def withdraw_consent(enrolment: Enrolment) -> None:
    statement_id = enrolment.consents[-1].statement_id
    db.session.add(ConsentRecord(enrolment=enrolment, statement_id=statement_id, given=False))
    db.session.commit()


def export_form(**overrides: Any) -> dict[str, Any]:
    today = clock.today_uk()
    data: dict[str, Any] = {
        "kind": "participant",
        "scope": ["region:LON"],
        "date_from": f"{today - timedelta(days=60):%d/%m/%Y}",
        "date_to": f"{today:%d/%m/%Y}",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def read_csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(name).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))
