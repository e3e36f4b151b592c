"""k-anonymity holds in every participant-level file: generalised until every combination
of quasi-identifiers is shared by at least k people, and reported."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.evaluation.dated_rows import dated_rows, small_date_levels_sql
from futuredoctor.evaluation.kanonymity import STEPS, Plan, make_plan, small_date_levels
from futuredoctor.evaluation.scope import ExportScope, ScopeChoice
from futuredoctor.extensions import db
from futuredoctor.models import (
    ExportRecord,
    FeedbackItem,
    FeedbackSource,
    Module,
    Progress,
    Region,
    Role,
    utcnow,
)
from tests.evaluation.conftest import Study, export_form, open_zip
from tests.evaluation.projects import make_project
from tests.factories import current_cohorts, make_enrolment, make_release, make_user
from tests.helpers import login

QUASI = [
    "cohort",
    "professional_group",
    "career_stage",
    "enrolment_status",
    "enrolled_on",
    "withdrawn_on",
    "consent_given_on",
]


def test_plan_generalises_step_by_step_then_leaves_out_the_rest() -> None:
    row = (1, "c", "doctor", "FY1", "enrolled", "2026-03-14", None, "2026-03-15")
    same_month = [
        (i, "c", "doctor", "FY2", "enrolled", f"2026-03-{i:02d}", None, "2026-03-20")
        for i in range(2, 6)
    ]
    plan = make_plan(None, [row, *same_month], k=5)  # type: ignore[arg-type]
    assert plan.level == 2 and not plan.withheld  # month + career-stage bands suffice
    assert plan.report() == list(STEPS[:2])
    midwife = (9, "c", "midwife", "ST1", "enrolled", "2026-03-01", None, "2026-03-01")
    plan = make_plan(None, [row, *same_month, midwife], k=5)  # type: ignore[arg-type]
    assert plan.withheld == {(9, "c")}
    assert Plan(5, level=4).generalise("nurse", "CT2", ["2026-03-14"]) == (
        "other_professions",
        "core",
        None,
    )


def test_every_participant_level_file_is_k_anonymous(client: Any, study: Study) -> None:
    client.application.config["EXPORT_K_ANONYMITY"] = 5
    cohort = current_cohorts()["lon-current"]
    start = utcnow() - timedelta(days=40)
    people = [("doctor", "FY1")] * 4 + [("doctor", "FY2")] * 3 + [("midwife", "ST2")]
    for n, (group, stage) in enumerate(people):
        person = make_user(professional_group=group, career_stage=stage)
        make_enrolment(person, cohort, consent=True).enrolled_at = start + timedelta(days=n)
    db.session.commit()
    login(client, study.evaluator)
    response = client.post("/evaluation/", data=export_form())
    assert response.status_code == 200
    archive = open_zip(response.get_data())
    rows = list(csv.DictReader(io.StringIO(archive.read("participants.csv").decode())))
    sizes = Counter(tuple(r[q] for q in QUASI) for r in rows)
    assert rows and min(sizes.values()) >= 5
    assert "midwife" not in {r["professional_group"] for r in rows}
    readme = archive.read("README.md").decode()
    assert "## k-anonymity (k = 5)" in readme and "left out" in readme
    record = db.session.scalars(sa.select(ExportRecord)).one()
    assert record.options["k_anonymity"]["k"] == 5
    assert record.options["k_anonymity"]["generalised"]
    # Files that refer to participants only name those in participants.csv.
    kept = {r["participant_id"] for r in rows}
    for name in ("progress.csv", "feedback.csv"):
        text = archive.read(name).decode()
        for r in csv.DictReader(io.StringIO(text)):
            assert not r["participant_id"] or r["participant_id"] in kept


def test_dates_in_other_files_count_towards_the_plan() -> None:
    people = [
        (i, "c", "doctor", "FY1", "enrolled", "2026-03-02", None, "2026-03-02") for i in range(5)
    ]
    # Four completions on the 10th and one, the only one that day, on the 11th.
    dated = [
        ("progress.completed_on", i, "c", "doctor", "FY1", "2026-03-11" if i == 4 else "2026-03-10")
        for i in range(5)
    ]
    assert make_plan(None, people, k=5).level == 0  # type: ignore[arg-type]
    plan = make_plan(None, people, k=5, dated=dated)  # type: ignore[arg-type]
    assert plan.level == 1 and not plan.withheld
    assert {plan.date(d[-1]) for d in dated} == {"2026-03-01"}
    # Alone in her month too: dates are withheld, in every file.
    alone = [*dated[:4], ("progress.completed_on", 4, "c", "doctor", "FY1", "2026-04-02")]
    plan = make_plan(None, people, k=5, dated=alone)  # type: ignore[arg-type]
    assert plan.level == 3 and plan.date("2026-04-02") is None
    assert "dates withheld" in plan.report()[-1]


DATE_COLUMNS = {
    "participants.csv": ["enrolled_on", "withdrawn_on", "consent_given_on"],
    "progress.csv": ["started_on", "completed_on"],
    "feedback.csv": ["given_on"],
    "actions.csv": ["changed_on"],
}


def _assert_dates_k_anonymous(archive: Any, k: int) -> None:
    """Every date column of every participant-level file: cohort × group × stage × date
    is shared by at least k distinct participants; no date carries a time of day."""
    people = {
        (r["participant_id"], r["cohort"]): (r["professional_group"], r["career_stage"])
        for r in _read(archive, "participants.csv")
    }
    givers = {r["feedback_id"]: r for r in _read(archive, "feedback.csv")}
    for name, columns in DATE_COLUMNS.items():
        rows = _read(archive, name)
        for column in columns:
            groups: dict[tuple[str, ...], set[str]] = {}
            for row in rows:
                whose = givers[row["feedback_id"]] if name == "actions.csv" else row
                if not row[column] or not whose["participant_id"]:
                    continue
                assert len(row[column]) == 10, (name, column, row[column])
                person = (whose["participant_id"], whose["cohort"])
                key = (whose["cohort"], *people[person], row[column])
                groups.setdefault(key, set()).add(person[0])
            assert all(len(who) >= k for who in groups.values()), (name, column, groups)


def _read(archive: Any, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode(), newline="")))


def test_the_only_completion_that_day_is_not_unique(client: Any) -> None:
    client.application.config["EXPORT_K_ANONYMITY"] = 5
    _five_completions()
    evaluator = make_user(roles=[(Role.EVALUATOR, london_region())])
    make_project("Dates", ["region:LON"], [(evaluator, True)])
    db.session.commit()
    login(client, evaluator)
    response = client.post("/evaluation/", data=export_form())
    assert response.status_code == 200
    archive = open_zip(response.get_data())
    _assert_dates_k_anonymous(archive, 5)
    first = _first_of_last_month()
    completed = [r["completed_on"] for r in _read(archive, "progress.csv")]
    assert completed == [first.isoformat()] * 5  # the 10th and the 11th both show the 1st
    assert {r["given_on"] for r in _read(archive, "feedback.csv")} == {first.isoformat()}
    readme = archive.read("README.md").decode()
    assert STEPS[0] in readme and STEPS[2] not in readme


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_database_counts_date_groups_as_python_does(app: Any) -> None:
    """PostgreSQL counts the dated rows in SQL (narrow keys, grouping sets): for every k,
    the levels with a small group are those the Python count finds in the same rows."""
    _five_completions()
    db.session.commit()
    scope = ExportScope(
        user_id=0,
        choices=(ScopeChoice("region:LON", "London", london_region().id, None),),
        date_from=clock.today_uk() - timedelta(days=400),
        date_to=clock.today_uk(),
        free_text=frozenset(),
        as_of=utcnow(),
    )
    seen = set()
    for k in range(1, 8):
        expected = small_date_levels(dated_rows(scope), k)
        assert small_date_levels_sql(scope, k) == expected, k
        seen.add(frozenset(expected))
    assert len(seen) >= 3  # none, some and all levels small over these k


def london_region() -> Region:
    return db.session.scalars(sa.select(Region).where(Region.code == "LON")).one()


def _first_of_last_month() -> date:
    return (clock.today_uk().replace(day=1) - timedelta(days=1)).replace(day=1)


def _five_completions() -> None:
    """Five FY1 doctors in one cohort complete a module last month, four on the 10th and
    one on the 11th, and give feedback on the 10th."""
    cohort = current_cohorts()["lon-current"]
    cohort = current_cohorts()["lon-current"]
    version = (
        db.session.scalars(sa.select(Module).where(Module.slug == "shared-decision-making"))
        .one()
        .latest
    )
    release = make_release(version, cohort, days_from_now=-50)
    first = _first_of_last_month()
    tenth = datetime.combine(first.replace(day=10), time(12), tzinfo=clock.local_zone())
    for n in range(5):
        person = make_user(professional_group="doctor", career_stage="FY1")
        enrolment = make_enrolment(person, cohort, consent=True)
        done = tenth + timedelta(days=1 if n == 4 else 0)  # the only completion on the 11th
        db.session.add(
            Progress(
                enrolment=enrolment,
                release=release,
                started_at=done - timedelta(hours=1),
                completed_at=done,
            )
        )
        db.session.add(
            FeedbackItem(
                module_version_id=version.id,
                enrolment=enrolment,
                source=FeedbackSource.PARTICIPANT,
                relevance=4,
                created_at=tenth,
            )
        )


def test_study_package_dates_hold_k(client: Any, study: Study) -> None:
    """The study's lone participant, status change and co-design session: whatever the
    plan needs, no date in any file singles anyone out."""
    client.application.config["EXPORT_K_ANONYMITY"] = 2
    extra = make_user(professional_group="doctor", career_stage="FY1")
    make_enrolment(extra, current_cohorts()["lon-current"], consent=True)
    db.session.commit()
    login(client, study.evaluator)
    response = client.post("/evaluation/", data=export_form(free_text=["actions.note"]))
    archive = open_zip(response.get_data())
    _assert_dates_k_anonymous(archive, 2)
    assert {r["changed_on"] for r in _read(archive, "actions.csv")} == {""}
