"""Scheduler jobs: due-release notifications, sending with retries, the weekly digest,
error handling, the ``flask scheduler`` command. Each job is safe to run again."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.mail import MailError, sent_messages
from futuredoctor.models import Notification, Progress, Release, ReleaseStatus, utcnow
from futuredoctor.notifications import delivery, digest
from futuredoctor.scheduler import JOBS, build_scheduler, run_job, run_once
from tests.factories import make_release


def _notifications(kind: str | None = None) -> list[Notification]:
    db.session.expire_all()
    stmt = sa.select(Notification).order_by(Notification.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


def test_due_release_queues_one_notification_per_enrolled_participant(app, db_session, scene):
    due = make_release(scene.version, scene.cohort, days_from_now=-0.01)
    db_session.commit()
    assert run_job(app, "queue_due_releases") == 3
    assert run_job(app, "queue_due_releases") == 0  # nothing new the second time
    rows = _notifications("module_released")
    assert sorted(n.recipient_id for n in rows) == sorted(p.id for p in scene.participants)
    assert {n.subject_key for n in rows} == {f"release:{due.id}"}
    assert rows[0].payload["module_slug"] == "shared-decision-making"
    assert db_session.get(Release, due.id).notifications_queued_at is not None


def test_future_and_withdrawn_releases_are_not_notified(app, db_session, scene):
    from tests.factories import make_module

    make_release(scene.version, scene.cohort, days_from_now=1)
    gone = make_release(make_module().latest, scene.cohort, days_from_now=-1)
    gone.status = ReleaseStatus.WITHDRAWN
    db_session.commit()
    assert run_job(app, "queue_due_releases") == 0
    assert _notifications() == []


def test_catches_up_on_releases_that_fell_due_during_downtime(app, db_session, scene):
    from tests.factories import make_module

    for days in (-30, -7, -1):
        make_release(make_module().latest, scene.cohort, days_from_now=days)
    db_session.commit()
    assert run_job(app, "queue_due_releases") == 9


def test_sending_emails_each_row_once(digest_week, app, db_session, scene):
    make_release(scene.version, scene.cohort, days_from_now=-0.01)
    db_session.commit()
    results = run_once(app)
    assert results["queue_due_releases"] == 3 and results["send_notifications"] == 3
    assert results["queue_digests"] == 3  # the module is unfinished by all three
    assert run_job(app, "send_notifications") == 3  # the digests
    assert run_job(app, "send_notifications") == 0
    messages = sent_messages(app)
    assert len({m["Message-ID"] for m in messages}) == len(messages) == 6
    released = [m for m in messages if m["Subject"].startswith("New module")]
    assert sorted(m["To"] for m in released) == sorted(p.email for p in scene.participants)
    assert "/modules/shared-decision-making" in released[0].get_content()
    assert all(n.sent_at is not None and n.attempts == 1 for n in _notifications())


def test_failed_send_is_retried_later_with_attempts_and_error(app, db_session, scene, monkeypatch):
    from futuredoctor.notifications import outbox

    outbox.queue("module_released", scene.participants[0].id, "k", "Title", "Body")
    db_session.commit()
    now = utcnow()

    def broken(message):
        raise MailError("relay said no")

    monkeypatch.setattr(delivery, "send", broken)
    report = delivery.send_queued(now)
    db_session.commit()
    assert report.failed == 1
    (row,) = _notifications()
    assert (row.sent_at, row.attempts, row.last_error) == (None, 1, "relay said no")
    monkeypatch.undo()
    assert delivery.send_queued(now + timedelta(seconds=10)).sent == 0  # waits before retrying
    assert delivery.send_queued(now + timedelta(minutes=2)).sent == 1
    db_session.commit()
    (row,) = _notifications()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error is None


def test_rows_that_keep_failing_stop_after_the_last_attempt(app, db_session, scene):
    from futuredoctor.notifications import outbox

    outbox.queue("module_released", scene.participants[0].id, "k", "Title", "Body")
    db.session.execute(sa.update(Notification).values(attempts=app.config["MAIL_MAX_ATTEMPTS"]))
    db_session.commit()
    assert delivery.send_queued(utcnow() + timedelta(days=30)).sent == 0


def test_retry_pauses_grow(app):
    assert [delivery.pause_after(n).total_seconds() / 60 for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert delivery.pause_after(20) == timedelta(hours=2)


def test_people_who_turned_email_off_get_in_app_only(app, db_session, scene):
    scene.participants[0].email_notifications = False
    make_release(scene.version, scene.cohort, days_from_now=-0.01)
    db_session.commit()
    assert run_job(app, "queue_due_releases") == 3
    assert run_job(app, "send_notifications") == 3
    assert scene.participants[0].email not in {m["To"] for m in sent_messages(app)}
    assert len(sent_messages(app)) == 2
    mine = [n for n in _notifications() if n.recipient_id == scene.participants[0].id]
    assert mine[0].sent_at is not None and mine[0].attempts == 0 and mine[0].read_at is None


def test_refuse_backend_makes_the_job_fail_and_roll_back(app, db_session, scene, caplog):
    app.config["MAIL_BACKEND"] = "refuse"
    make_release(scene.version, scene.cohort, days_from_now=-0.01)
    db_session.commit()
    assert run_job(app, "queue_due_releases") == 3
    assert run_job(app, "send_notifications") is None  # failed loudly, in the log
    assert "MAIL_BACKEND is 'refuse'" in caplog.text
    assert all(n.sent_at is None and n.attempts == 0 for n in _notifications()), [
        (n.sent_at, n.attempts) for n in _notifications()
    ]


def test_a_failing_job_does_not_stop_the_others(app, db_session, scene, monkeypatch):
    def explode() -> int:
        raise RuntimeError("boom")

    monkeypatch.setitem(JOBS, "queue_digests", explode)
    make_release(scene.version, scene.cohort, days_from_now=-0.01)
    db_session.commit()
    results = run_once(app)
    assert results.pop("count_dated_people")  # every cohort counted for the first time
    assert results == {
        "queue_due_releases": 3,
        "queue_opportunity_reminders": 0,
        "send_notifications": 3,
        "queue_digests": None,
        "refresh_summaries": 0,
        "queue_goal_reminders": 0,
        "send_feedback_invitations": 0,
        "redact_free_text": 0,
    }
    assert len(sent_messages(app)) == 3


def test_weekly_digest_once_per_week_and_respects_opt_out(app, db_session, scene):
    done = make_release(scene.version, scene.cohort, days_from_now=-3)
    scene.participants[1].digest_opt_out = True
    db_session.flush()
    from futuredoctor.models import Enrolment

    enrolment = db_session.scalar(
        sa.select(Enrolment).where(Enrolment.user_id == scene.participants[2].id)
    )
    db_session.add(
        Progress(enrolment=enrolment, release=done, started_at=utcnow(), completed_at=utcnow())
    )
    db_session.commit()
    today = utcnow().date()
    wednesday = datetime.combine(
        today + timedelta(days=(2 - today.weekday()) % 7 or 7), time(12), tzinfo=UTC
    )  # the next Wednesday, after the release
    year, week, _ = wednesday.isocalendar()
    assert digest.queue_weekly_digests(wednesday) == 1  # only participant 0 has one to finish
    assert digest.queue_weekly_digests(wednesday + timedelta(days=1)) == 0  # same ISO week
    db_session.commit()
    (row,) = _notifications("weekly_digest")
    assert row.recipient_id == scene.participants[0].id
    assert row.subject_key == f"{year}-W{week:02d}"
    assert scene.version.title in row.body
    assert digest.queue_weekly_digests(wednesday + timedelta(days=7)) == 1  # next week


def test_digest_waits_for_monday_morning_uk_time():
    from futuredoctor import create_app
    from tests.conftest import make_test_config

    with create_app(make_test_config("sqlite://")).app_context():
        assert not digest.digest_due(datetime(2026, 11, 23, 7, 59, tzinfo=UTC))
        assert digest.digest_due(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
        assert digest.digest_due(datetime(2026, 11, 29, 23, 0, tzinfo=UTC))  # Sunday
        # In summer 08:00 UK time is 07:00 UTC.
        assert digest.digest_due(datetime(2027, 6, 7, 7, 0, tzinfo=UTC))
        assert digest.week_key(datetime(2027, 1, 3, 12, tzinfo=UTC)) == "2026-W53"


def test_scheduler_command_once(app, runner, db_session, scene):
    make_release(scene.version, scene.cohort, days_from_now=-0.01)
    db_session.commit()
    result = runner.invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "queue_due_releases: 3" in result.output
    assert "send_notifications: 3" in result.output


def test_scheduler_has_the_three_jobs_at_the_configured_interval(app):
    scheduler = build_scheduler(app, 30)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(JOBS)
    assert jobs["send_notifications"].trigger.interval == timedelta(seconds=30)
    assert jobs["queue_digests"].trigger.interval == timedelta(minutes=15)
    assert all(job.next_run_time is not None for job in jobs.values())  # start at once
