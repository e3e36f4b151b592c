"""Demo data: every role gets an account, and running it again changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from futuredoctor.extensions import db
from futuredoctor.models import Base, Role


def _row_counts() -> dict[str, int]:
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for name, table in Base.metadata.tables.items()
        if name not in {"audit_event"}
    }


def test_demo_is_repeatable_and_covers_every_role(app: Flask, runner) -> None:
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    for role in Role:
        assert role.label in first.output
    counts = _row_counts()
    assert counts["release"] > 0 and counts["progress"] > 0 and counts["feedback_item"] > 0
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    assert _row_counts() == counts


def test_demo_refuses_production(app: Flask, runner) -> None:
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "Refusing" in result.output
