"""Scheduler runs and each outbox message log under a job id; each job's outcome is stored
for the metrics; no line carries an address or a message's text."""

from __future__ import annotations

import logging

import pytest

from futuredoctor.extensions import db
from futuredoctor.models import SchedulerJobRun
from futuredoctor.scheduler import JOBS, run_job
from tests.factories import make_release


def test_a_job_and_its_messages_log_under_one_job_id(
    app, db_session, scene, caplog: pytest.LogCaptureFixture
) -> None:
    make_release(scene.version, scene.cohort, days_from_now=-0.01)
    db_session.commit()
    assert run_job(app, "queue_due_releases") == 3
    emails = [p.email for p in scene.participants]
    caplog.set_level(logging.INFO, logger="futuredoctor")
    assert run_job(app, "send_notifications") == 3
    [job] = [r for r in caplog.records if getattr(r, "job", None) == "send_notifications"]
    messages = [r for r in caplog.records if getattr(r, "notification_id", None)]
    assert len(messages) == 3
    assert {r.job_id for r in messages} == {job.job_id}  # type: ignore[attr-defined]
    assert {r.outcome for r in messages} == {"sent"}  # type: ignore[attr-defined]
    assert job.outcome == "succeeded" and job.count == 3  # type: ignore[attr-defined]
    assert not any(email in caplog.text for email in emails)


def test_each_job_s_last_success_and_failure_are_stored(app, db_session, scene, monkeypatch):
    assert run_job(app, "queue_digests") is not None
    db.session.expire_all()
    row = db_session.get(SchedulerJobRun, "queue_digests")
    assert row.last_succeeded_at is not None and row.last_failed_at is None
    succeeded = row.last_succeeded_at

    def broken() -> int:
        raise RuntimeError("database went away")

    monkeypatch.setitem(JOBS, "queue_digests", broken)
    assert run_job(app, "queue_digests") is None
    db.session.expire_all()
    row = db_session.get(SchedulerJobRun, "queue_digests")
    assert row.last_failed_at is not None and row.last_succeeded_at == succeeded
