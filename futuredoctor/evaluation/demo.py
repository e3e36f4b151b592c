"""Demo evaluation project: the demo evaluator may export participant-level data for the
London and South West pilots under a made-up approval reference."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from futuredoctor import clock
from futuredoctor.evaluation.projects import create_project, grant_access
from futuredoctor.extensions import db
from futuredoctor.models import EvaluationProject, User

NAME = "Generalist skills pilot evaluation"


def create_evaluation_demo(admin: User, evaluator: User) -> None:
    secret = current_app.config.get("STUDY_SECRET")
    if not secret:
        return  # exports are switched off here, so a project could not be keyed
    if db.session.scalar(sa.select(EvaluationProject.id).where(EvaluationProject.name == NAME)):
        return  # the demo is repeatable
    today = clock.today_uk()
    project = create_project(
        admin,
        secret.encode("utf-8"),
        NAME,
        "IRAS 345678",
        ["region:LON", "region:SW"],
        today.replace(year=today.year - 1, month=1, day=1),
        today.replace(year=today.year + 1, month=12, day=31),
    )
    grant_access(admin, project, evaluator.email, True, "DSA-2026-014")
