"""k-anonymity holds in every participant-level file: generalised until every combination
of quasi-identifiers is shared by at least k people, and reported."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from futuredoctor.evaluation.kanonymity import STEPS, Plan, make_plan
from futuredoctor.extensions import db
from futuredoctor.models import ExportRecord, utcnow
from tests.evaluation.conftest import Study, export_form, open_zip
from tests.factories import current_cohorts, make_enrolment, make_user
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
