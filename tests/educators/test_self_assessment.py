"""Self-assessment: who may rate, what is refused, and who may see it (only the owner)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from futuredoctor.extensions import db
from futuredoctor.models import MilestoneRating, Role, SelfAssessment
from tests.educators.samples import rate
from tests.factories import make_user, shipped_pilot
from tests.helpers import login


def _form(levels: dict[int, str], version: str = "1", **extra: str) -> dict[str, str]:
    """The assessment form with rows for the first subcompetencies (ADM1, ADM2, ...)."""
    codes = ["ADM1", "ADM2", "ADM3", "ADM4", "ETP1"]
    data = {"framework_version": version}
    for i, code in enumerate(codes):
        data[f"ratings-{i}-code"] = code
        data[f"ratings-{i}-level"] = levels.get(i, "")
        data[f"ratings-{i}-evidence_note"] = extra.get(f"note{i}", "")
        data[f"ratings-{i}-evidence_link"] = extra.get(f"link{i}", "")
    return data


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SelfAssessment)) or 0


def test_lead_educator_rates_and_sees_chart_table_and_summary(client, app: Flask) -> None:
    lead = make_user(roles=[(Role.LEAD_EDUCATOR, shipped_pilot("LON"))])
    db.session.commit()
    login(client, lead)
    page = client.get("/educators/self-assessment")
    assert page.status_code == 200 and "ETP7: Teaching" in page.get_data(as_text=True)
    data = _form({0: "2", 4: "3"}, note4="Ran a feedback workshop", link4="/modules/teaching")
    response = client.post("/educators/self-assessment", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    client.post("/educators/self-assessment", data=_form({0: "3"}))
    chart = client.get("/educators/progress").get_data(as_text=True)
    assert "<svg" in chart and "Levels by self-assessment date" in chart
    assert "ADM1: 2, 3." in chart  # the chart's text alternative, oldest first
    summary = client.get("/educators/summary").get_data(as_text=True)
    assert "Ran a feedback workshop" in summary and "Educator development summary" in summary


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_form({0: "6"}), "Level for ADM1 Administration skills must be a whole number from 1"),
        (_form({0: "0"}), "must be a whole number from 1 to 5"),
        (_form({0: "abc"}), "must be a whole number from 1 to 5"),
        (_form({}), "Rate yourself on at least one subcompetency"),
        (_form({0: "2"}, version="0"), "The milestones were updated to version 1"),
        (_form({0: "2"}, link0="javascript:alert(1)"), "must be a web address"),
        (_form({}, note1="evidence but no level"), "Choose a level for ADM2"),
    ],
)
def test_bad_ratings_are_refused_and_nothing_is_written(client, app: Flask, data, message) -> None:
    champion = make_user(roles=[(Role.CHAMPION, shipped_pilot("LON").region)])
    db.session.commit()
    login(client, champion)
    # A valid first row followed by a bad one: the good row is not kept either.
    if data["ratings-0-level"] not in ("", "6", "0", "abc") and data["framework_version"] == "1":
        data["ratings-4-level"] = "9"
    response = client.post("/educators/self-assessment", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MilestoneRating)) == 0


def test_participant_opts_in_before_rating(client, app: Flask) -> None:
    participant = make_user(roles=[(Role.PARTICIPANT, None)])
    db.session.commit()
    login(client, participant)
    page = client.get("/educators/self-assessment").get_data(as_text=True)
    assert "join educator development" in page
    assert client.post("/educators/self-assessment", data=_form({0: "2"})).status_code == 200
    assert _count() == 0
    assert client.post("/educators/opt-in").status_code == 302
    assert client.post("/educators/self-assessment", data=_form({0: "2"})).status_code == 302
    assert _count() == 1


@pytest.mark.parametrize(
    "role", [Role.PARTICIPANT, Role.LEAD_EDUCATOR, Role.REGIONAL_LEAD, Role.NATIONAL_ADMIN]
)
def test_a_snapshot_is_private_to_its_owner(client, app: Flask, role: Role) -> None:
    owner = make_user()
    snapshot = rate(owner, {"WB1": 4})
    scope = {
        Role.LEAD_EDUCATOR: shipped_pilot("LON"),
        Role.REGIONAL_LEAD: shipped_pilot("LON").region,
    }.get(role)
    other = make_user(roles=[(role, scope)])
    db.session.commit()
    login(client, other)
    response = client.get(f"/educators/self-assessment/{snapshot.id}")  # type: ignore[attr-defined]
    assert response.status_code in (403, 404)
    assert "WB1" not in response.get_data(as_text=True)


def test_the_milestones_and_a_persons_history_are_read_in_three_statements(
    app: Flask, count_queries
) -> None:
    """The framework with its domains and subcompetencies in one statement; the person's
    snapshots and their ratings in two more, the framework found among those read."""
    from futuredoctor.educators import self_assessment

    person = make_user(roles=[(Role.CHAMPION, shipped_pilot("LON").region)])
    rate(person, {"ETP7": 2, "WB1": 3})
    rate(person, {"ETP7": 3})
    db.session.commit()
    db.session.expire_all()
    assert person.id
    with count_queries() as statements:
        framework = self_assessment.current_framework()
        assert framework is not None
        codes = [sub.code for sub in self_assessment.subcompetencies(framework)]
        history = self_assessment.assessments(person)
        latest = self_assessment.latest_levels(history)
        assert {a.framework.version for a in history} == {framework.version}
    assert "ETP7" in codes and latest["ETP7"].level == 3 and latest["WB1"].level == 3
    assert len(statements) == 3, statements
