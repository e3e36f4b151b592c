"""National admins create evaluation projects and attach evaluators; evaluators export only
what their access allows, and refused attempts are audited."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import AuditEvent, EvaluationAccess, EvaluationProject, Role
from tests.evaluation.conftest import Study, export_form
from tests.evaluation.projects import make_project
from tests.factories import make_user
from tests.helpers import login


def test_national_admin_creates_a_project_and_attaches_evaluators(
    client: Any, study: Study
) -> None:
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.commit()
    login(client, admin)
    page = client.get("/evaluation/projects").get_data(as_text=True)
    assert "Generalist skills evaluation" in page and study.project.key_fingerprint in page
    form = {
        "name": "Coastal health evaluation",
        "approval_reference": "IRAS 654321",
        "scopes": ["region:SW"],
        "starts_on": "1/9/2026",
        "ends_on": "31/8/2027",
    }
    bad = client.post("/evaluation/projects", data={**form, "scopes": [], "ends_on": "1/1/2026"})
    assert bad.status_code == 400
    assert "Select at least one region or pilot" in bad.get_data(as_text=True)
    created = client.post("/evaluation/projects", data=form)
    assert created.status_code == 302
    project = db.session.scalar(
        sa.select(EvaluationProject).where(EvaluationProject.name == "Coastal health evaluation")
    )
    assert project is not None and len(project.key_fingerprint) == 16
    detail = client.get(created.headers["Location"]).get_data(as_text=True)
    assert project.key_fingerprint in detail and project.key_salt not in detail

    url = f"/evaluation/projects/{project.id}"
    email = study.evaluator.email
    missing = client.post(url, data={"email": email, "participant_level": "y"})
    assert missing.status_code == 400
    assert "Enter the approval reference" in missing.get_data(as_text=True)
    stranger = client.post(url, data={"email": study.consenting.email})
    assert "someone with an evaluator role" in stranger.get_data(as_text=True)
    attached = client.post(
        url, data={"email": email, "participant_level": "y", "approval_reference": "DSA-77"}
    )
    assert attached.status_code == 302
    access = db.session.scalar(
        sa.select(EvaluationAccess).where(EvaluationAccess.project_id == project.id)
    )
    assert access is not None and access.approval_reference == "DSA-77"
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"evaluation_project.created", "evaluation_access.granted"} <= actions


def test_aggregate_only_access_and_scopes_outside_the_project_are_refused_and_audited(
    client: Any, study: Study
) -> None:
    london = study.evaluator.grants[0].region
    evaluator = make_user(roles=[(Role.EVALUATOR, london)])
    narrow = make_project("Aggregate only", ["pilot:lon-inclusion-health"], [(evaluator, False)])
    db.session.commit()
    login(client, evaluator)
    refused = client.post(
        "/evaluation/",
        data=export_form(project=str(narrow.id), scope=["pilot:lon-inclusion-health"]),
    )
    assert refused.status_code == 400
    assert "for aggregate packages only" in refused.get_data(as_text=True)
    outside = client.post(
        "/evaluation/", data=export_form(project=str(narrow.id), kind="aggregate")
    )
    assert outside.status_code == 400
    assert "Select only regions or pilots in Aggregate only" in outside.get_data(as_text=True)
    other = client.post("/evaluation/", data=export_form(project=str(study.project.id)))
    assert other.status_code == 400
    assert "Select one of your evaluation projects" in other.get_data(as_text=True)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "export.refused")
    ).all()
    assert len(events) == 3 and all(e.actor_id == evaluator.id for e in events)
    allowed = client.post(
        "/evaluation/",
        data=export_form(
            project=str(narrow.id), kind="aggregate", scope=["pilot:lon-inclusion-health"]
        ),
    )
    assert allowed.status_code == 200 and allowed.mimetype == "application/zip"
