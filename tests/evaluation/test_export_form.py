"""The export page: who may use it, and clear answers to bad input that change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import ExportRecord, Pilot, Role
from tests.evaluation.conftest import Study, export_form
from tests.evaluation.projects import make_project
from tests.factories import make_user
from tests.helpers import login

FUTURE = clock.today_uk() + timedelta(days=400)


def test_export_page_explains_the_package_and_lists_granted_scopes(
    client: Any, study: Study
) -> None:
    login(client, study.evaluator)
    page = client.get("/evaluation/").get_data(as_text=True)
    assert "<h1>Download evaluation data</h1>" in page
    for name in ("participants.csv", "aggregates.csv", "datapackage.json", "MANIFEST"):
        assert name in page
    assert 'value="region:LON"' in page
    assert 'value="region:SW"' not in page  # only granted scopes are offered
    assert 'name="free_text" type="checkbox" value="feedback.text" checked' not in page


BAD_INPUT = [
    (
        {"date_from": "23/11/2026", "date_to": "1/11/2026"},
        "date_to",
        "The end date must be the same as or after the start date",
    ),
    ({"date_from": "31/12/2019"}, "date_from", "on or after 1 January 2020"),
    ({"date_to": f"{FUTURE:%d/%m/%Y}"}, "date_to", "no more than a year from today"),
    ({"date_from": "31/02/2026"}, "date_from", "February 2026 has 28 days"),
    ({"date_to": "next tuesday"}, "date_to", "The end date must be a real date"),
    ({"date_from": "1/1/0001"}, "date_from", "in a year between 2000 and 2100"),
    ({"date_to": "31/12/9999"}, "date_to", "in a year between 2000 and 2100"),
    ({"scope": ["region:\x00"]}, "scope", "Select regions or pilots from the list"),
    ({"date_from": ""}, "date_from", "Enter a start date"),
    ({"scope": []}, "scope", "Select at least one region or pilot"),
    ({"scope": ["region:SW"]}, "scope", "Select only regions or pilots you have"),
    ({"scope": ["region:NOWHERE"]}, "scope", "Select only regions or pilots you have"),
    ({"scope": ["pilot:sw-remote-rural-coastal"]}, "scope", "Select only regions"),
]


def test_bad_input_is_refused_with_a_message_and_exports_nothing(client: Any, study: Study) -> None:
    login(client, study.evaluator)
    for form, field, message in BAD_INPUT:
        response = client.post("/evaluation/", data=export_form(**form))
        page = response.get_data(as_text=True)
        assert response.status_code == 400, form
        assert "There is a problem" in page
        assert message in page, form
        assert f'href="#{field}"' in page
        assert "sw-remote-rural-coastal" not in page  # nothing about other regions leaks
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportRecord)) == 0


def test_pilot_scoped_evaluator_exports_their_pilot(client: Any, study: Study) -> None:
    pilot = db.session.scalar(sa.select(Pilot).where(Pilot.slug == "lon-inclusion-health"))
    evaluator = make_user(roles=[(Role.EVALUATOR, pilot)])
    make_project("Inclusion health evaluation", ["region:LON"], [(evaluator, True)])
    db.session.commit()
    login(client, evaluator)
    assert 'value="pilot:lon-inclusion-health"' in client.get("/evaluation/").get_data(True)
    start = clock.today_uk() - timedelta(days=30)
    dotted = f"{start.day}.{start.month}.{start.year}"  # as in 1.9.2026
    response = client.post(
        "/evaluation/", data=export_form(scope=["pilot:lon-inclusion-health"], date_from=dotted)
    )
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    refused = client.post("/evaluation/", data=export_form(scope=["region:LON"]))
    assert refused.status_code == 400  # a pilot grant does not open its whole region


def test_non_evaluators_are_refused(client: Any, study: Study) -> None:
    login(client, study.consenting)
    assert client.get("/evaluation/").status_code == 403
    assert client.post("/evaluation/", data=export_form()).status_code == 403
    assert client.get("/evaluation/tokens").status_code == 403
    assert client.get("/evaluation/exports").status_code == 403


def test_production_without_a_study_secret_refuses_to_export(client: Any, study: Study) -> None:
    client.application.config.update(ENV_NAME="production", STUDY_SECRET=None)
    login(client, study.evaluator)
    response = client.post("/evaluation/", data=export_form())
    assert response.status_code == 503
    assert "Evaluation exports are switched off" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportRecord)) == 0
