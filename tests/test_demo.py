"""Demo data: every role gets an account, and running it again changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import (
    Base,
    ConsentRecord,
    Enrolment,
    FeedbackItem,
    JoinRequest,
    Progress,
    Release,
    Role,
    User,
)


def _row_counts() -> dict[str, int]:
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for name, table in Base.metadata.tables.items()
        if name not in {"audit_event"}
    }


def test_demo_is_repeatable_and_covers_every_role(app: Flask, runner, frozen_now) -> None:
    """Frozen, so the second run happens at the same instant: the demo dates things relative
    to now, and a later run may rightly add a module someone started since."""
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


def test_demo_tells_a_coherent_story_on_the_day_it_runs(app: Flask, runner) -> None:
    """Whatever day it is (FUTUREDOCTOR_TEST_NOW), the demo's dates hang together."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    db.session.expire_all()
    now, today = clock.now(), clock.today_uk()
    releases = db.session.scalars(sa.select(Release)).all()
    assert releases
    for release in releases:
        assert release.module_version.published_at <= release.created_at <= now
        assert release.created_at <= release.release_at
        local_day = release.release_at.astimezone(clock.local_zone()).date()
        assert release.cohort.starts_on <= local_day <= release.cohort.ends_on
    for progress in db.session.scalars(sa.select(Progress)):
        enrolment, release = progress.enrolment, progress.release
        assert enrolment.enrolled_at is not None
        assert enrolment.enrolled_at < release.release_at <= progress.started_at <= now
        if progress.completed_at is not None:
            assert progress.started_at <= progress.completed_at <= now
    for item in db.session.scalars(sa.select(FeedbackItem)):
        assert item.created_at <= now
        if item.enrolment is not None:
            assert item.enrolment.enrolled_at <= item.created_at
    for record in db.session.scalars(sa.select(ConsentRecord)):
        assert record.statement.effective_from <= record.recorded_at <= now
    demo = db.session.scalar(sa.select(User).where(User.email == "participant@example.nhs.uk"))
    (running,) = db.session.scalars(sa.select(Enrolment).where(Enrolment.user_id == demo.id))
    cohort = running.cohort
    assert cohort.starts_on <= today <= cohort.ends_on
    enrolled_day = running.enrolled_at.astimezone(clock.local_zone()).date()
    assert cohort.enrolment_opens <= enrolled_day <= cohort.enrolment_closes
    joining = db.session.scalar(sa.select(JoinRequest))
    assert joining.cohort.enrolment_opens <= today <= joining.cohort.enrolment_closes


def test_demo_builds_beside_benchmark_data(app: Flask, runner, database_url: str) -> None:
    """The benchmark's data (other people's feedback on the demo's modules, in every pilot)
    is left alone, and the demo still tells its story and stays repeatable."""
    import pytest

    if not database_url.startswith("postgresql"):
        pytest.skip("the benchmark generator writes with PostgreSQL COPY")
    from benchmarks.generate import generate
    from tests.test_bench_generator import TINY

    db.session.commit()
    generate(sa.make_url(database_url).set(drivername="postgresql").render_as_string(False), TINY)
    foreign = {
        row.id: row.status
        for row in db.session.execute(sa.select(FeedbackItem.id, FeedbackItem.status))
    }
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    db.session.expire_all()
    still = dict(
        db.session.execute(
            sa.select(FeedbackItem.id, FeedbackItem.status).where(FeedbackItem.id.in_(foreign))
        ).all()
    )
    assert still == foreign
    counts = _row_counts()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert _row_counts() == counts


def test_demo_refusal_changes_nothing(app: Flask, runner, monkeypatch) -> None:
    from futuredoctor import demo
    from futuredoctor.refusals import Refusal

    def refuse(password: str) -> None:
        db.session.add(User(email="half@example.nhs.uk", given_name="A", family_name="B"))
        db.session.flush()
        raise Refusal("addresses", "Feedback 5 is not open feedback about this module")

    monkeypatch.setattr(demo, "create_demo_data", refuse)
    counts = _row_counts()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "nothing was changed: Feedback 5 is not open feedback" in result.output
    db.session.expire_all()
    assert _row_counts() == counts
