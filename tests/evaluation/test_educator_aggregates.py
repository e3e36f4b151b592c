"""Educator development in aggregate packages: people, not ratings, counted per region and
domain level; small counts suppressed; non-consenting participants never counted."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from futuredoctor.evaluation.suppression import THRESHOLD
from futuredoctor.extensions import db
from futuredoctor.models import EducatorProfile, MilestoneDomain, Role, Subcompetency
from tests.educators.samples import rate
from tests.evaluation.conftest import Study, export_form, open_zip, read_csv
from tests.evaluation.projects import make_project
from tests.factories import current_cohorts, make_enrolment, make_user, shipped_pilot
from tests.helpers import login


def _educator(roles: list[Any], levels: dict[str, int]) -> None:
    person = make_user(roles=roles)
    db.session.add(EducatorProfile(user_id=person.id))
    db.session.flush()
    rate(person, levels)


def test_levels_count_people_and_hide_small_cells(client: Any, study: Study) -> None:
    evaluator = make_user(roles=[(Role.EVALUATOR, study.evaluator.grants[0].region)])
    make_project("Faculty development", ["region:LON"], [(evaluator, False)])
    pilot = shipped_pilot("LON")
    # Eight educators at level 2 and one at level 4; each rates two subcompetencies, so
    # ratings would number 18 while people number 9.
    for _ in range(8):
        _educator([(Role.LEAD_EDUCATOR, pilot)], {"ETP7": 2, "ETP8": 2})
    _educator([(Role.LEAD_EDUCATOR, pilot)], {"ETP7": 4, "ETP8": 5})
    # A participant who teaches but refused research consent: never counted.
    refusing = make_user(roles=[(Role.PARTICIPANT, None)])
    make_enrolment(refusing, current_cohorts()["lon-current"], consent=False)
    db.session.add(EducatorProfile(user_id=refusing.id))
    db.session.flush()
    rate(refusing, {"ETP7": 1})
    db.session.commit()
    domain = db.session.scalar(
        sa.select(MilestoneDomain.code)
        .join(Subcompetency, Subcompetency.domain_id == MilestoneDomain.id)
        .where(Subcompetency.code == "ETP7")
    )
    login(client, evaluator)
    response = client.post("/evaluation/", data=export_form(kind="aggregate"))
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    rows = read_csv(open_zip(response.get_data()), "educator_development.csv")
    mine = {r["level"]: r for r in rows if r["region"] == "LON" and r["domain"] == domain}
    assert mine["all"]["count"] == "9" and mine["all"]["suppressed"] == "False"
    assert mine["1"]["count"] == "0"  # the refusing participant is not there
    assert mine["4"]["suppressed"] == "True" and mine["4"]["count"] == ""
    # Secondary suppression: the total minus level 2 would reveal the one at level 4.
    assert mine["2"]["suppressed"] == "True"
    for row in rows:
        if row["suppressed"] == "False":
            assert not 1 <= int(row["count"]) <= THRESHOLD, row
    pairs = [r for r in rows if r["measure"] == "active_mentoring_pairs"]
    assert {r["region"] for r in pairs} == {"LON"}
