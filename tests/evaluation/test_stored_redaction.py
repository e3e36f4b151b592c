"""Free text is stored de-identified when written; a new account's name makes stored
redactions stale, and both the scheduler's job and an export bring them up to date; the
COPY writer and the Python writer produce the same feedback.csv from the stored text, and the
same progress.csv."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.evaluation import package, stored_redaction
from futuredoctor.evaluation.kanonymity import Plan
from futuredoctor.evaluation.package import PackageResult, csv_chunks
from futuredoctor.evaluation.redaction import name_parts
from futuredoctor.evaluation.schema import FREE_TEXT_FIELDS, TABLES_BY_FILE
from futuredoctor.evaluation.scope import ExportScope, ScopeChoice
from futuredoctor.evaluation.stored_redaction import refresh_stale, stamp, sync_names
from futuredoctor.evaluation.tables import uk_date_text
from futuredoctor.extensions import db
from futuredoctor.models import (
    CodesignSession,
    FeedbackItem,
    FeedbackStatusChange,
    Progress,
    PublicContributor,
    RedactionName,
    Region,
    utcnow,
)
from futuredoctor.scheduler import run_job
from tests.evaluation.conftest import Study, export_form, open_zip, read_csv
from tests.factories import make_enrolment, make_user
from tests.helpers import login

IDENTIFIERS = "Ring 07700 900123 or write to someone@example.org"


def _current() -> str:
    return stamp(db.session.scalar(sa.select(sa.func.max(RedactionName.version))) or 0)


def test_text_written_is_stored_de_identified_with_the_current_stamp(study: Study) -> None:
    sync_names()
    db.session.commit()
    study.item.text = f"{IDENTIFIERS}; {study.consenting.given_name} agreed"
    study.item.status_reason = "Not for us"
    db.session.commit()
    item = db.session.get(FeedbackItem, study.item.id)
    assert item is not None
    assert item.text_redacted == "Ring [PHONE] or write to [EMAIL]; [NAME] agreed"
    assert item.status_reason_redacted == "Not for us"
    assert item.has_redactions and item.redaction_stamp == _current()
    assert item.text.startswith("Ring 07700")  # the original is kept for the platform
    note = db.session.scalars(sa.select(FeedbackStatusChange)).first()
    assert note is not None and note.note_redacted == "-looking into it"
    assert not note.has_redactions
    session = db.session.get(CodesignSession, study.session.id)
    assert session is not None and session.redaction_stamp is not None
    session.notes = "Call Sister Bloggs on 020 7946 0123"
    db.session.commit()
    assert session.notes_redacted == "Call [NAME] on [PHONE]" and session.has_redactions


def test_a_new_account_name_makes_rows_stale_and_the_job_redacts_them(
    app: Any, study: Study
) -> None:
    refresh_stale()  # everything current before the new account appears
    study.item.text = "Wilhelmina Thistlewood-Parr explained it well"
    db.session.commit()
    before = study.item.redaction_stamp
    assert study.item.text_redacted == "Wilhelmina Thistlewood-Parr explained it well"
    make_user(given_name="Wilhelmina", family_name="Thistlewood-Parr")
    db.session.commit()

    assert run_job(app, "redact_free_text") == 1  # only the row naming her is redone
    db.session.expire_all()
    item = db.session.get(FeedbackItem, study.item.id)
    assert item is not None
    assert item.text_redacted == "[NAME] [NAME] explained it well" and item.has_redactions
    assert item.redaction_stamp == _current() != before
    stale = [
        spec.model
        for spec in stored_redaction.FREE_TEXTS
        if db.session.scalar(
            sa.select(sa.func.count()).where(
                stored_redaction.stale(spec, _current(), stored_redaction.watermark(spec))
            )
        )
    ]
    assert stale == []  # the others are covered by their table's watermark
    assert run_job(app, "redact_free_text") == 0


def _listed() -> set[tuple[str, str]]:
    return set(db.session.execute(sa.select(RedactionName.kind, RedactionName.part)).tuples())


def test_the_name_list_takes_in_new_renamed_and_unusual_names_and_nothing_twice(
    app: Any, study: Study
) -> None:
    sync_names()
    version = sync_names().version  # nothing new: no new version
    assert sync_names().version == version
    study.consenting.family_name = "Ó'Brien-Łukasz"  # renamed, not plain ASCII
    make_user(given_name="  Zoë\t", family_name="Straße")
    make_user(given_name="Ann\tMarie", family_name=" Mc Gregor ")
    db.session.add(
        PublicContributor(
            pilot=study.session.pilot,
            display_name="Ífe Adébáyọ̀",
            credit_consent_on=clock.today_uk(),
        )
    )
    db.session.commit()
    names = sync_names()
    db.session.commit()
    assert names.version == version + 1
    written = [
        ("family", "Ó'Brien-Łukasz"),
        ("given", "  Zoë\t"),
        ("family", "Straße"),
        ("given", "Ann\tMarie"),
        ("family", " Mc Gregor "),
        ("given", "Ífe Adébáyọ̀"),
    ]
    expected = {(kind, part) for kind, name in written for part in name_parts(name)}
    assert ("family", "strasse") in expected and ("given", "marie") in expected
    assert expected <= _listed()
    assert sync_names().version == version + 1  # all of them are on the list now


def _count_free_text_updates(rowcounts: list[int]) -> Any:
    """A listener adding up the rows each UPDATE of a free-text table changed."""
    tables = tuple(f"UPDATE {spec.table.name} " for spec in stored_redaction.FREE_TEXTS)

    def count(_conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith(tables):
            rowcounts.append(cursor.rowcount)

    return count


def test_new_accounts_rewrite_only_the_rows_that_mention_their_names(
    app: Any, study: Study
) -> None:
    refresh_stale()
    study.item.text = "Ottoline Quarrington-Bligh ran the session"
    db.session.commit()
    assert run_job(app, "redact_free_text") == 0
    before = {
        spec.table.name: dict(
            db.session.execute(sa.select(spec.table.c.id, spec.table.c.redaction_stamp))
            .tuples()
            .all()
        )
        for spec in stored_redaction.FREE_TEXTS
    }
    assert sum(len(rows) for rows in before.values()) > 3
    for given, family in [("Ottoline", "Quarrington-Bligh"), ("Evander", "Pemberton-Oyelaran")]:
        make_user(given_name=given, family_name=family)  # an import of several people
    db.session.commit()

    rowcounts: list[int] = []
    listener = _count_free_text_updates(rowcounts)
    sa.event.listen(db.engine, "after_cursor_execute", listener)
    try:
        assert run_job(app, "redact_free_text") == 1
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", listener)
    assert sum(rowcounts) == 1  # one row rewritten, no table-wide restamp
    db.session.expire_all()
    item = db.session.get(FeedbackItem, study.item.id)
    assert item is not None and item.text_redacted == "[NAME] [NAME] ran the session"
    assert item.redaction_stamp == _current()
    for spec in stored_redaction.FREE_TEXTS:
        after = dict(
            db.session.execute(sa.select(spec.table.c.id, spec.table.c.redaction_stamp))
            .tuples()
            .all()
        )
        changed = {i for i, s in after.items() if s != before[spec.table.name][i]}
        assert changed == ({study.item.id} if spec.model is FeedbackItem else set())
        assert stored_redaction.watermark(spec) == int(_current().split(".")[1])
    # An account added after the watermark moved is caught too, with no other rewrite.
    study.item.text = "Evander Pemberton-Oyelaran and Zebedee Froggatt-Lyle spoke"
    db.session.commit()
    make_user(given_name="Zebedee", family_name="Froggatt-Lyle")
    db.session.commit()
    assert run_job(app, "redact_free_text") == 1
    db.session.expire_all()
    item = db.session.get(FeedbackItem, study.item.id)
    assert item is not None
    assert item.text_redacted == "[NAME] [NAME] and [NAME] [NAME] spoke"


def test_rows_without_a_stamp_are_backfilled_and_new_rules_redo_everything(
    app: Any, study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = FeedbackItem.__table__
    db.session.execute(
        sa.update(table).values(
            text="Email a.b@example.org", text_redacted=None, redaction_stamp=None
        )
    )
    db.session.commit()
    assert refresh_stale() >= 2
    texts = set(db.session.scalars(sa.select(FeedbackItem.text_redacted)))
    assert texts == {"Email [EMAIL]"}
    monkeypatch.setattr(stored_redaction, "RULES_VERSION", 2)
    counted = refresh_stale()
    total = sum(
        db.session.scalar(sa.select(sa.func.count()).select_from(spec.table)) or 0
        for spec in stored_redaction.FREE_TEXTS
    )
    assert counted == total
    assert set(db.session.scalars(sa.select(FeedbackItem.redaction_stamp))) == {_current()}
    assert _current().startswith("002.")


def test_an_export_redacts_stale_rows_before_reading_them(client: Any, study: Study) -> None:
    sync_names()
    study.item.text = "Thanks to Bartholomew for the session"
    db.session.commit()
    make_user(given_name="Bartholomew", family_name="Ng")
    db.session.commit()
    login(client, study.evaluator)
    response = client.post("/evaluation/", data=export_form(free_text=["feedback.text"]))
    assert response.status_code == 200
    rows = {r["source"]: r for r in read_csv(open_zip(response.get_data()), "feedback.csv")}
    assert rows["participant"]["text"] == "Thanks to [NAME] for the session"
    assert rows["participant"]["redacted"] == "True"
    # The export redid only the row naming him; restamping the rest is the job's work.
    db.session.expire_all()
    stamps = dict(
        db.session.execute(sa.select(FeedbackItem.id, FeedbackItem.redaction_stamp)).tuples().all()
    )
    assert stamps.pop(study.item.id) == _current()
    assert stamps and all(s is not None and s < _current() for s in stamps.values())


def _scope(free_text: bool) -> ExportScope:
    london = db.session.scalars(sa.select(Region).where(Region.code == "LON")).one()
    return ExportScope(
        user_id=0,
        choices=(ScopeChoice("region:LON", london.name, london.id, None),),
        date_from=clock.today_uk() - timedelta(days=60),
        date_to=clock.today_uk(),
        free_text=frozenset(FREE_TEXT_FIELDS) if free_text else frozenset(),
        as_of=utcnow(),
    )


def _feedback_csv(
    scope: ExportScope, copy: bool, monkeypatch: pytest.MonkeyPatch, file: str = "feedback.csv"
) -> str:
    with monkeypatch.context() as patch:
        if not copy:
            patch.setattr(package, "can_copy", lambda *_: False)
        chunks = csv_chunks(TABLES_BY_FILE[file], scope, b"k" * 32, PackageResult())
        return b"".join(chunks).decode()


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.postgres
@pytest.mark.parametrize("level", [None, 1, 3])  # as planned (days), months, withheld
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_copy_writes_the_same_progress_csv_as_the_python_writer(
    app: Any, study: Study, monkeypatch: pytest.MonkeyPatch, level: int | None
) -> None:
    scope, again = _scope(False), _scope(False)
    if level is not None:
        scope.context["plan"], again.context["plan"] = Plan(5, level=level), Plan(5, level=level)
    assert package.can_copy("progress", scope)
    copied = _feedback_csv(scope, True, monkeypatch, "progress.csv")
    written = _feedback_csv(again, False, monkeypatch, "progress.csv")
    assert _parse(copied) == _parse(written)
    rows = list(csv.DictReader(io.StringIO(copied, newline="")))
    assert len(rows) == 1  # the consenting Londoner's; refusals and the South West left out
    row = rows[0]
    assert row["participant_id"] != str(study.consenting.id) and len(row["participant_id"]) > 8
    assert row["region"] == "LON"
    completed = db.session.scalar(
        sa.select(Progress.completed_at).where(Progress.enrolment_id == study.enrolment.id)
    )
    day = uk_date_text(completed) or ""
    assert row["completed_on"] == {None: day, 1: day[:8] + "01", 3: ""}[level]


@pytest.mark.postgres
@pytest.mark.parametrize("level", [None, 2, 4])  # as planned, months and bands, all steps
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_copy_writes_the_same_participants_csv_as_the_python_writer(
    app: Any, study: Study, monkeypatch: pytest.MonkeyPatch, level: int | None
) -> None:
    nurse = make_user(professional_group="nurse", career_stage="CT2")
    make_enrolment(nurse, study.enrolment.cohort, consent=True)
    unrecorded = make_user(professional_group=None, career_stage=None)
    make_enrolment(unrecorded, study.enrolment.cohort, consent=True)
    db.session.commit()
    scope, again = _scope(False), _scope(False)
    if level is not None:
        scope.context["plan"], again.context["plan"] = Plan(5, level=level), Plan(5, level=level)
    assert package.can_copy("participants", scope)
    copied = _feedback_csv(scope, True, monkeypatch, "participants.csv")
    written = _feedback_csv(again, False, monkeypatch, "participants.csv")
    assert _parse(copied) == _parse(written)
    rows = list(csv.DictReader(io.StringIO(copied, newline="")))
    assert len(rows) == 3  # the consenting Londoners; refusals and the South West left out
    shown = {(r["professional_group"], r["career_stage"]) for r in rows}
    assert shown == {
        None: {("doctor", "FY1"), ("nurse", "CT2"), ("unknown", "unknown")},
        2: {("doctor", "foundation"), ("nurse", "core"), ("unknown", "unknown")},
        4: {("doctor", "foundation"), ("other_professions", "core"), ("unknown", "unknown")},
    }[level]
    enrolled = uk_date_text(study.enrolment.enrolled_at) or ""
    mine = next(r for r in rows if r["career_stage"] in ("FY1", "foundation"))
    assert mine["enrolled_on"] == {None: enrolled, 2: enrolled[:8] + "01", 4: ""}[level]
    assert mine["consent_version"].isdigit()


@pytest.mark.postgres
@pytest.mark.parametrize("level", [None, 1, 3])  # as planned (days), months, withheld
@pytest.mark.parametrize("free_text", [True, False])
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_copy_writes_the_same_feedback_csv_as_the_python_writer(
    app: Any, study: Study, monkeypatch: pytest.MonkeyPatch, free_text: bool, level: int | None
) -> None:
    study.item.text = f'=SUM(A1) {IDENTIFIERS}, "quoted"\n{study.consenting.family_name}\'s'
    study.item.status_reason = "'already quoted"
    db.session.commit()
    scope, again = _scope(free_text), _scope(free_text)
    if level is not None:
        scope.context["plan"], again.context["plan"] = Plan(5, level=level), Plan(5, level=level)
    assert package.can_copy("feedback", scope)
    copied = _feedback_csv(scope, copy=True, monkeypatch=monkeypatch)
    written = _feedback_csv(again, copy=False, monkeypatch=monkeypatch)
    # Python's csv quotes an empty value and COPY does not: the same once read.
    parse = lambda text: list(csv.reader(io.StringIO(text, newline="")))  # noqa: E731
    assert parse(copied) == parse(written)
    rows = {r["source"]: r for r in csv.DictReader(io.StringIO(copied, newline=""))}
    assert len(rows) == 2
    day = uk_date_text(study.item.created_at) or ""
    expected = {None: day, 1: day[:8] + "01", 3: ""}[level]
    assert rows["participant"]["given_on"] == expected
    if free_text:
        assert rows["participant"]["text"].startswith("'=SUM(A1) Ring [PHONE]")
        assert rows["participant"]["text"].endswith("\n[NAME]'s")
        assert rows["participant"]["status_reason"] == "''already quoted"
        assert rows["participant"]["redacted"] == "True"
        assert rows["codesign_session"]["redacted"] == "False"
    else:
        assert "text" not in rows["participant"]


def test_many_new_names_are_matched_in_python_with_the_same_result(
    app: Any, study: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    refresh_stale()
    study.item.text = "Ask Philippa Anstruther-Gough"
    db.session.commit()
    assert run_job(app, "redact_free_text") == 0
    monkeypatch.setattr(stored_redaction, "MAX_NAMES_TO_MATCH", 0)
    make_user(given_name="Philippa", family_name="Anstruther-Gough")
    db.session.commit()
    assert run_job(app, "redact_free_text") == 1
    db.session.expire_all()
    item = db.session.get(FeedbackItem, study.item.id)
    assert item is not None and item.text_redacted == "Ask [NAME] [NAME]"
    assert run_job(app, "redact_free_text") == 0
