"""Aggregate packages: fixed quarters, numbers as numbers, and suppression that differencing
cannot undo (within a breakdown, across overlapping requests, across packages)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import frictionless
from hypothesis import given
from hypothesis import strategies as st

from futuredoctor import clock
from futuredoctor.evaluation.aggregates import quarter_of
from futuredoctor.evaluation.suppression import THRESHOLD, Cell, protect
from futuredoctor.extensions import db
from futuredoctor.models import Role
from tests.evaluation.conftest import Study, export_form, open_zip
from tests.evaluation.projects import make_project
from tests.factories import current_cohorts, make_enrolment, make_user
from tests.helpers import login


def _safe(total: Cell, line: list[Cell]) -> None:
    for cell in line:
        if 1 <= cell.count <= THRESHOLD:
            assert cell.hidden
    if total.hidden:
        assert all(c.hidden for c in line if c.count)
        return
    hidden = [c.count for c in line if c.hidden]
    # What "total minus visible" gives is the sum of the hidden cells.
    assert not hidden or (len(hidden) >= 2 and sum(hidden) > THRESHOLD)


@given(
    st.lists(st.integers(0, 40), min_size=1, max_size=9),
    st.permutations(list(range(9))),
)
def test_every_breakdown_is_protected_against_subtraction(counts: list[int], order: Any) -> None:
    groups = [Cell(n) for n in counts]
    # A second breakdown of the same people into other categories.
    stages = [Cell(0) for _ in range(9)]
    for i, n in enumerate(counts):
        stages[order[i]].count += n
    total = Cell(sum(counts))
    protect(total, [groups, stages])
    _safe(total, groups)
    _safe(total, stages)


def _rows(data: bytes) -> list[dict[str, str]]:
    text = open_zip(data).read("aggregates.csv").decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_differencing_aggregates_recovers_nothing_below_the_threshold(
    client: Any, study: Study, tmp_path: Path
) -> None:
    evaluator = make_user(roles=[(Role.EVALUATOR, study.evaluator.grants[0].region)])
    make_project("Published statistics", ["region:LON"], [(evaluator, False)])
    cohort = current_cohorts()["lon-current"]
    last_quarter = quarter_of(quarter_of(clock.today_uk()).first - timedelta(days=1))
    during = last_quarter.start + timedelta(days=10)
    # 12 doctors FY1, 3 nurses FY2, the only midwife (ST1): small cells by group and stage.
    for group, stage, n in (("doctor", "FY1", 12), ("nurse", "FY2", 3), ("midwife", "ST1", 1)):
        for _ in range(n):
            person = make_user(professional_group=group, career_stage=stage)
            make_enrolment(person, cohort, consent=True).enrolled_at = during
    db.session.commit()
    login(client, evaluator)

    def download(start: Any, end: Any) -> bytes:
        form = export_form(
            kind="aggregate", date_from=f"{start:%d/%m/%Y}", date_to=f"{end:%d/%m/%Y}"
        )
        response = client.post("/evaluation/", data=form)
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        return response.get_data()

    wide = download(last_quarter.first - timedelta(days=200), clock.today_uk())
    narrow = download(last_quarter.first + timedelta(days=20), last_quarter.last)
    wide_rows, narrow_rows = _rows(wide), _rows(narrow)
    # Fixed periods: the narrow request gives exactly the wide one's cells for that quarter.
    assert {r["period"] for r in narrow_rows} == {last_quarter.label}
    assert narrow_rows == [r for r in wide_rows if r["period"] == last_quarter.label]
    # Numbers are numbers: counts are unquoted integers or empty.
    raw = open_zip(narrow).read("aggregates.csv").decode()
    assert ',"16",' not in raw and ",16," in raw

    enrolled = [
        r
        for r in narrow_rows
        if r["measure"] == "enrolled_consenting" and r["pilot"] == "lon-inclusion-health"
    ]
    total = next(r for r in enrolled if r["professional_group"] == r["career_stage"] == "all")
    assert total["count"] == "16" and total["suppressed"] == "False"
    lines: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in enrolled:
        if r is not total:
            lines["group" if r["career_stage"] == "all" else "stage"].append(r)
    for line in lines.values():
        visible = sum(int(r["count"]) for r in line if r["suppressed"] == "False")
        hidden = [r for r in line if r["suppressed"] == "True"]
        assert all(r["count"] == "" for r in hidden)
        remainder = int(total["count"]) - visible
        assert remainder == 0 or (remainder > THRESHOLD and len(hidden) >= 2)
    midwives = next(r for r in lines["group"] if r["professional_group"] == "midwife")
    assert midwives["suppressed"] == "True"  # the only midwife is not shown

    archive = open_zip(narrow)
    assert archive.namelist()[0] == "aggregates.csv"
    assert "participants.csv" not in archive.namelist()
    archive.extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
