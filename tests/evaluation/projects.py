"""Evaluation projects for tests, keyed on the app's study secret."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app

from futuredoctor import clock
from futuredoctor.evaluation.pseudonyms import key_fingerprint, project_key
from futuredoctor.extensions import db
from futuredoctor.models import EvaluationAccess, EvaluationProject, User


def make_project(
    name: str | None = None,
    scopes: list[str] | None = None,
    evaluators: list[tuple[User, bool]] = (),  # type: ignore[assignment]
) -> EvaluationProject:
    salt = secrets.token_hex(32)
    secret = current_app.config["STUDY_SECRET"].encode()
    today = clock.today_uk()
    project = EvaluationProject(
        name=name or f"Project {salt[:6]}",
        approval_reference="IRAS 123456",
        scopes=scopes or ["region:LON"],
        starts_on=today - timedelta(days=365),
        ends_on=today + timedelta(days=365),
        key_salt=salt,
        key_fingerprint=key_fingerprint(project_key(secret, salt)),
    )
    db.session.add(project)
    for user, participant_level in evaluators:
        db.session.add(
            EvaluationAccess(
                project=project,
                user=user,
                participant_level=participant_level,
                approval_reference="DSA-2026-014" if participant_level else None,
            )
        )
    db.session.flush()
    return project
