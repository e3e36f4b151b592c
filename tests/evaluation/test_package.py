"""The package an evaluator downloads: valid, complete, de-identified and consent-filtered."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import frictionless
import sqlalchemy as sa

from futuredoctor.config import DEV_STUDY_SECRET
from futuredoctor.evaluation.package import unprotect
from futuredoctor.evaluation.pseudonyms import project_key, pseudonym
from futuredoctor.evaluation.schema import FREE_TEXT_FIELDS, TABLES
from futuredoctor.evaluation.scope import ExportScope, ScopeChoice
from futuredoctor.evaluation.tables import sessions
from futuredoctor.extensions import db
from futuredoctor.models import (
    AuditEvent,
    CodesignSession,
    ExportRecord,
    FeedbackItem,
    FeedbackSource,
    FeedbackTag,
    Progress,
    Region,
    Release,
    utcnow,
)
from tests.evaluation.conftest import (
    HIDDEN_TEXT,
    HOSTILE_TEXT,
    REFLECTION,
    Study,
    export_form,
    open_zip,
    read_csv,
    withdraw_consent,
)
from tests.evaluation.projects import make_project
from tests.factories import days_from_today, make_enrolment, make_user
from tests.helpers import login

FILES = {
    *(t.path for t in TABLES if not t.aggregate),
    "datapackage.json",
    "README.md",
    "import.py",
    "import.R",
    "import.do",
    "MANIFEST",
}


def _download(client: Any, **form: Any) -> bytes:
    response = client.post("/evaluation/", data=export_form(**form))
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_data()


def test_package_is_valid_complete_and_de_identified(
    client: Any, study: Study, tmp_path: Path
) -> None:
    login(client, study.evaluator)
    data = _download(client)
    archive = open_zip(data)
    assert set(archive.namelist()) == FILES

    # Frictionless accepts the package: types, categories, required fields and keys.
    archive.extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    # ...and the schema has teeth: an out-of-range rating and a dangling key are caught.
    feedback_csv = tmp_path / "feedback.csv"
    lines = feedback_csv.read_bytes().decode().split("\n")
    row = next(i for i, line in enumerate(lines) if '"participant"' in line)
    cells = lines[row].split(",")
    cells[3] = '"' + "0" * 64 + '"'  # a participant who is not in participants.csv
    cells[8] = "9"  # relevance
    lines[row] = ",".join(cells)
    feedback_csv.write_bytes("\n".join(lines).encode())
    broken = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert {e[0] for e in broken.flatten(["type"])} >= {"constraint-error", "foreign-key"}

    # MANIFEST holds the SHA-256 of every other file, in sha256sum format.
    lines = archive.read("MANIFEST").decode().splitlines()
    assert lines[:3] == [
        f"# project: {study.project.name}",
        f"# key fingerprint: {study.project.key_fingerprint}",
        "# package: participant",
    ]
    manifest = dict(reversed(line.split("  ", 1)) for line in lines[3:])
    assert set(manifest) == FILES - {"MANIFEST"}
    for name, digest in manifest.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest

    # Only the consenting London participant, under the project's pseudonym.
    secret = client.application.config["STUDY_SECRET"].encode()
    expected = pseudonym(project_key(secret, study.project.key_salt), study.consenting.id)
    participants = read_csv(archive, "participants.csv")
    assert [p["participant_id"] for p in participants] == [expected]
    assert participants[0]["cohort"] == "lon-current"
    assert participants[0]["professional_group"] == "doctor"
    progress = read_csv(archive, "progress.csv")
    assert [p["participant_id"] for p in progress] == [expected]
    feedback = read_csv(archive, "feedback.csv")
    assert {f["participant_id"] for f in feedback} == {expected, ""}  # "" = co-design session
    assert {f["source"] for f in feedback} == {"participant", "codesign_session"}
    assert "text" not in feedback[0] and "status_reason" not in feedback[0]  # free text off
    assert next(f for f in feedback if f["participant_id"])["tags"] == "case studies;handover"
    actions = read_csv(archive, "actions.csv")
    assert [(a["feedback_id"], a["status"], a["step"]) for a in actions] == [
        (str(study.item.id), "under_review", "1")
    ]
    sessions = read_csv(archive, "sessions.csv")
    assert [s["title"] for s in sessions] == ["'+Autumn living lab"]  # formula-protected
    assert "notes" not in sessions[0]
    assert {r["cohort"] for r in read_csv(archive, "releases.csv")} == {"lon-current"}
    assert len(read_csv(archive, "modules.csv")) >= 12
    # Lookups answer questions without outside data; every fact row says where it is from.
    assert {r["region"] for r in read_csv(archive, "regions.csv")} >= {"LON", "SW"}
    assert len(read_csv(archive, "gpc_domains.csv")) == 9
    assert read_csv(archive, "module_domains.csv")[0]["domain"].startswith("GPC")
    assert "lon-current" in [c["cohort"] for c in read_csv(archive, "cohorts.csv")]
    assert read_csv(archive, "consent_statements.csv")[0]["consent_version"] == "1"
    assert {(f["region"], f["pilot"]) for f in feedback} == {("LON", "lon-inclusion-health")}
    assert {(p["region"], p["pilot"]) for p in progress} == {("LON", "lon-inclusion-health")}
    assert actions[0]["pilot"] == "lon-inclusion-health"
    assert {r["released_by_export"] for r in read_csv(archive, "releases.csv")} == {"True"}

    # No direct identifier, reflection or non-consenting text anywhere in the zip.
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    for person in study.people:
        for value in (
            person.email,
            person.given_name,
            person.family_name,
            person.registration_number,
        ):
            if value:
                assert value not in everything, value
    for value in (REFLECTION, HIDDEN_TEXT, "Quillfeather", "7990001"):
        assert value not in everything, value

    # The export record: who, channel, scope, options, row counts and the zip's checksum.
    record = db.session.scalars(sa.select(ExportRecord)).one()
    assert record.user_id == study.evaluator.id
    assert record.channel == "web"
    assert record.scope["scopes"] == ["region:LON"]
    assert record.scope["project_id"] == study.project.id
    assert record.scope["kind"] == "participant"
    assert record.scope["approval_reference"] == "DSA-2026-014"
    assert record.options["include_free_text"] is False
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.row_counts == {
        t.path: len(read_csv(archive, t.path)) for t in TABLES if not t.aggregate
    }
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "export.downloaded")
    ).one()
    assert event.actor_id == study.evaluator.id
    assert event.target_id == str(record.id)
    readme = archive.read("README.md").decode()
    assert "`participants.csv` | 1 |" in readme


def test_free_text_is_opt_in_and_spreadsheet_safe(client: Any, study: Study) -> None:
    login(client, study.evaluator)
    archive = open_zip(_download(client, free_text=list(FREE_TEXT_FIELDS)))
    feedback = {f["source"]: f for f in read_csv(archive, "feedback.csv")}
    # Tabs, quotes and new lines survive CSV quoting; the formula is defused.
    assert feedback["participant"]["text"] == "'" + HOSTILE_TEXT
    assert feedback["codesign_session"]["text"] == "Add a community example"
    assert read_csv(archive, "actions.csv")[0]["note"] == "'-looking into it"
    assert read_csv(archive, "sessions.csv")[0]["notes"] == "'@notes from the session"
    schema = json.loads(archive.read("datapackage.json"))
    feedback_fields = next(r for r in schema["resources"] if r["name"] == "feedback")
    assert "text" in [f["name"] for f in feedback_fields["schema"]["fields"]]
    record = db.session.scalars(sa.select(ExportRecord)).one()
    assert record.options["include_free_text"] is True
    # The import scripts take one apostrophe off: the text comes back exactly.
    assert unprotect(feedback["participant"]["text"]) == HOSTILE_TEXT
    assert feedback["participant"]["redacted"] == "False"


def test_free_text_is_de_identified_field_by_field(client: Any, study: Study) -> None:
    person = study.consenting
    study.item.text = (
        f"{person.given_name} {person.family_name} (NMC 12A3456E) said ring 07700 900123 "
        "or write to someone@example.org"
    )
    db.session.commit()
    login(client, study.evaluator)
    archive = open_zip(_download(client, free_text=["feedback.text"]))
    rows = {f["source"]: f for f in read_csv(archive, "feedback.csv")}
    expected = "[NAME] [NAME] (NMC [NMC]) said ring [PHONE] or write to [EMAIL]"
    assert rows["participant"]["text"] == expected
    assert rows["participant"]["redacted"] == "True"
    assert rows["codesign_session"]["redacted"] == "False"
    assert "status_reason" not in rows["participant"]
    assert "note" not in read_csv(archive, "actions.csv")[0]
    assert "redacted" not in read_csv(archive, "actions.csv")[0]


def test_withdrawn_consent_removes_a_person_from_later_exports(client: Any, study: Study) -> None:
    login(client, study.evaluator)
    first = open_zip(_download(client))
    assert len(read_csv(first, "participants.csv")) == 1
    withdraw_consent(study.enrolment)
    later = open_zip(_download(client))
    assert read_csv(later, "participants.csv") == []
    assert read_csv(later, "progress.csv") == []
    assert [f["source"] for f in read_csv(later, "feedback.csv")] == ["codesign_session"]
    assert read_csv(later, "actions.csv") == []
    assert "no participants" in later.read("README.md").decode()


def test_pseudonyms_are_stable_within_a_project_and_unlinkable_across(
    client: Any, study: Study
) -> None:
    login(client, study.evaluator)
    first = read_csv(open_zip(_download(client)), "participants.csv")
    again = read_csv(open_zip(_download(client)), "participants.csv")
    assert first[0]["participant_id"] == again[0]["participant_id"]
    other = make_project("Second evaluation", ["region:LON"], [(study.evaluator, True)])
    db.session.commit()
    theirs = read_csv(open_zip(_download(client, project=str(other.id))), "participants.csv")
    assert theirs[0]["participant_id"] != first[0]["participant_id"]
    assert len(theirs[0]["participant_id"]) == 64
    manifest = open_zip(_download(client, project=str(other.id))).read("MANIFEST").decode()
    assert f"# project: Second evaluation\n# key fingerprint: {other.key_fingerprint}" in manifest
    assert other.key_fingerprint != study.project.key_fingerprint


def test_a_changed_study_secret_or_the_development_one_in_production_is_refused(
    client: Any, study: Study
) -> None:
    login(client, study.evaluator)
    client.application.config["STUDY_SECRET"] = "another-study-with-its-own-secret-value"
    changed = client.post("/evaluation/", data=export_form())
    assert changed.status_code == 400
    assert "study secret has changed" in changed.get_data(as_text=True)
    client.application.config.update(STUDY_SECRET=DEV_STUDY_SECRET, ENV_NAME="staging")
    refused = client.post("/evaluation/", data=export_form())
    assert refused.status_code == 400
    assert "the study secret is the development one" in refused.get_data(as_text=True)
    # Aggregates carry no pseudonyms, so they do not need a research-grade secret.
    aggregate = client.post("/evaluation/", data=export_form(kind="aggregate"))
    assert aggregate.status_code == 200
    assert "aggregates.csv" in open_zip(aggregate.get_data()).namelist()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportRecord)) == 1
    reasons = db.session.scalars(
        sa.select(AuditEvent.details).where(AuditEvent.action == "export.refused")
    )
    assert [r["reason"] for r in reasons] == ["project_key_changed", "development_secret"]


def test_empty_result_is_a_valid_package_with_headers_and_a_note(
    client: Any, study: Study, tmp_path: Path
) -> None:
    login(client, study.evaluator)
    data = _download(client, date_from="1/1/2020", date_to="31/12/2020")
    withdraw_consent(study.enrolment)
    data = _download(client, date_from="1/1/2020", date_to="31/12/2020")
    archive = open_zip(data)
    for table in TABLES:
        if table.aggregate:
            continue
        header = archive.read(table.path).decode().splitlines()[0]
        assert header.split(",")[0].strip('"') == table.fields[0].name
    assert read_csv(archive, "participants.csv") == []
    assert read_csv(archive, "feedback.csv") == []
    assert "no participants" in archive.read("README.md").decode()
    archive.extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_export_queries_do_not_grow_with_rows(
    client: Any, study: Study, count_queries: Any
) -> None:
    login(client, study.evaluator)
    with count_queries() as few:
        response = client.post("/evaluation/", data=export_form(free_text=list(FREE_TEXT_FIELDS)))
        assert response.is_streamed
        response.get_data()
    cohort = study.enrolment.cohort
    release = db.session.scalars(sa.select(Release).where(Release.cohort_id == cohort.id)).one()
    for n in range(15):
        person = make_user(professional_group="nurse", career_stage="other")
        enrolment = make_enrolment(person, cohort, consent=True)
        db.session.add(Progress(enrolment=enrolment, release=release, started_at=utcnow()))
        item = FeedbackItem(
            module_version_id=release.module_version_id,
            enrolment=enrolment,
            source=FeedbackSource.PARTICIPANT,
            relevance=1 + n % 5,
            created_at=utcnow(),
        )
        item.tags = [FeedbackTag(name=f"theme {n}")]
        db.session.add(item)
    db.session.commit()
    with count_queries() as many:
        form = export_form(free_text=list(FREE_TEXT_FIELDS))
        data = client.post("/evaluation/", data=form).get_data()
    assert len(read_csv(open_zip(data), "participants.csv")) == 16
    assert len(many) == len(few)


def test_sessions_held_outside_the_range_appear_only_when_exported_feedback_came_from_them(
    app: Any, study: Study
) -> None:
    pilot = study.session.pilot
    version_id = study.item.module_version_id

    def session(title: str, days: int) -> CodesignSession:
        held = CodesignSession(
            pilot=pilot,
            held_on=days_from_today(days),
            title=title,
            participants_count=1,
            educators_count=1,
            patients_public_count=0,
            other_professionals_count=0,
        )
        db.session.add(held)
        return held

    def feedback(held: CodesignSession, days_ago: int) -> None:
        db.session.add(
            FeedbackItem(
                module_version_id=version_id,
                source=FeedbackSource.CODESIGN_SESSION,
                codesign_session=held,
                relevance=3,
                created_at=utcnow() - timedelta(days=days_ago),
            )
        )

    feedback(session("Earlier, feedback in range", -100), days_ago=2)
    feedback(session("Earlier, feedback out of range", -100), days_ago=90)
    session("Earlier, no feedback", -100)
    db.session.commit()
    london = db.session.get(Region, pilot.region_id)
    assert london is not None
    scope = ExportScope(
        user_id=0,
        choices=(ScopeChoice("region:LON", london.name, london.id, None),),
        date_from=days_from_today(-60),
        date_to=days_from_today(0),
        free_text=frozenset(),
        as_of=utcnow(),
    )
    titles = [row[4] for row in sessions(scope, b"k" * 32)]
    assert titles == ["+Autumn living lab", "Earlier, feedback in range"]
