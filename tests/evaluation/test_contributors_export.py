"""The export carries the source of feedback entered on someone's behalf and each
session's attendee mix, and never a public contributor's name (SQLite and PostgreSQL;
on PostgreSQL feedback.csv comes from COPY unless free text is asked for)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import frictionless

from futuredoctor.extensions import db
from futuredoctor.models import (
    AttendeeKind,
    CodesignAttendee,
    FeedbackItem,
    FeedbackSource,
    Pilot,
)
from tests.evaluation.conftest import Study, export_form, open_zip, read_csv
from tests.helpers import login
from tests.livinglab.lab import by_slug, make_contributor

NAME = "Wendeline Quayside"


def _add_public_voices(study: Study) -> tuple[FeedbackItem, FeedbackItem]:
    pilot = by_slug(Pilot, "lon-inclusion-health")
    person = make_contributor(pilot, name=NAME, consent=True)
    version_id = study.item.module_version_id
    recorded = FeedbackItem(
        module_version_id=version_id,
        source=FeedbackSource.PATIENT_PUBLIC,
        pilot_id=pilot.id,
        contributor_id=person.id,
        text=f"{NAME} asked for a plain-language summary",
    )
    educator = FeedbackItem(
        module_version_id=version_id,
        source=FeedbackSource.EDUCATOR,
        pilot_id=pilot.id,
        text="Shorter videos",
    )
    db.session.add_all([recorded, educator])
    db.session.add(
        CodesignAttendee(
            session=study.session, kind=AttendeeKind.PATIENT_PUBLIC, contributor=person
        )
    )
    db.session.commit()
    return recorded, educator


def _download(client: Any, **form: Any) -> Any:
    response = client.post("/evaluation/", data=export_form(**form))
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return open_zip(response.get_data())


def test_feedback_source_and_attendee_mix_are_exported(
    client: Any, study: Study, tmp_path: Path
) -> None:
    recorded, educator = _add_public_voices(study)
    login(client, study.evaluator)
    archive = _download(client)
    archive.extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = {int(f["feedback_id"]): f for f in read_csv(archive, "feedback.csv")}
    assert rows[recorded.id]["source"] == "patient_public"
    assert rows[educator.id]["source"] == "educator"
    assert (rows[recorded.id]["pilot"], rows[recorded.id]["region"]) == (
        "lon-inclusion-health",
        "LON",
    )
    flags = {
        fid: (r["entered_on_behalf"], r["public_contributor_recorded"]) for fid, r in rows.items()
    }
    assert flags[recorded.id] == ("True", "True")
    assert flags[educator.id] == ("True", "False")
    assert flags[study.item.id] == ("False", "False")
    assert rows[recorded.id]["participant_id"] == "" and rows[recorded.id]["cohort"] == ""
    session = read_csv(archive, "sessions.csv")[0]
    mix = [
        session[k]
        for k in (
            "participants_count",
            "educators_count",
            "patients_public_count",
            "other_professionals_count",
            "recorded_contributors_count",
        )
    ]
    assert mix == ["6", "2", "3", "1", "1"]
    for name in archive.namelist():
        assert NAME.split()[0] not in archive.read(name).decode("utf-8"), name


def test_free_text_about_a_contributor_does_not_name_them(client: Any, study: Study) -> None:
    recorded, _ = _add_public_voices(study)
    login(client, study.evaluator)
    archive = _download(client, free_text=["feedback.text"])
    row = next(r for r in read_csv(archive, "feedback.csv") if r["feedback_id"] == str(recorded.id))
    assert row["text"] == "[NAME] [NAME] asked for a plain-language summary"
    assert row["redacted"] == "True"
    assert "Wendeline" not in archive.read("feedback.csv").decode("utf-8")
