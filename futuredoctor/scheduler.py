"""The scheduler process (``flask scheduler``): side effects that fall due over time.

Facts (is a module out?) are derived from the clock in queries, so nothing here is needed
for participants to see content on time. This process only does side effects, each one
idempotent, so several copies can run at once and a crash or restart loses nothing:

(a) queue one notification per enrolled participant for each release that became due;
(b) email queued notifications one at a time: claim a row and commit, send, record and
    commit, so a crash repeats at most the message in flight and one bad message is set
    aside as failed while the others go on;
(c) queue the weekly digest of unfinished modules (once per person per ISO week).

It runs APScheduler 3's ``BlockingScheduler`` in its own process, never inside web
workers (each worker would start its own). Every job runs in a fresh app context; an error
is logged and rolled back, and the job runs again at the next poll. One bad item (a
release, a digest row, an email) is set aside inside its job and never stops the others.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import click
from flask import Flask, current_app

from futuredoctor import logs, upsert
from futuredoctor.extensions import db
from futuredoctor.models import utcnow

log = logging.getLogger("futuredoctor.scheduler")

DIGEST_EVERY = timedelta(minutes=15)


def queue_due_releases() -> int:
    from futuredoctor.releases.notify import queue_due_release_notifications

    return queue_due_release_notifications(utcnow(), limit=_batch())


def send_notifications() -> int:
    from futuredoctor.notifications.delivery import send_queued

    report = send_queued(utcnow(), limit=_batch())
    if report.failed:
        log.warning(
            "%s notification(s) failed this round; %s given up (see the outbox page)",
            report.failed,
            report.given_up,
        )
    return report.sent + report.skipped


def queue_digests() -> int:
    from futuredoctor.notifications.digest import queue_weekly_digests

    return queue_weekly_digests(utcnow())


def refresh_summaries() -> int:
    from futuredoctor.summaries.store import refresh_all

    return refresh_all()


def queue_opportunity_reminders() -> int:
    from futuredoctor.community.registrations import queue_reminders

    return queue_reminders(utcnow(), limit=_batch())


def queue_goal_reminders() -> int:
    from futuredoctor.clock import today_uk
    from futuredoctor.educators.plan import queue_goal_reminders as queue_reminders

    return queue_reminders(today_uk())


def send_feedback_invitations() -> int:
    from futuredoctor.educators.colleague_feedback import send_invitations

    return send_invitations(limit=_batch())


def redact_free_text() -> int:
    from futuredoctor.evaluation.stored_redaction import refresh_stale

    return refresh_stale(max_batches=_batch(), commit_each=True)


def count_dated_people() -> int:
    from futuredoctor.evaluation.dated_summary import count_stale

    return count_stale(limit=_batch(), commit_each=True)


JOBS: dict[str, Callable[[], int]] = {
    "queue_due_releases": queue_due_releases,
    "queue_opportunity_reminders": queue_opportunity_reminders,
    "send_notifications": send_notifications,
    "queue_digests": queue_digests,
    "refresh_summaries": refresh_summaries,
    "queue_goal_reminders": queue_goal_reminders,
    "send_feedback_invitations": send_feedback_invitations,
    "redact_free_text": redact_free_text,
    "count_dated_people": count_dated_people,
}


def _batch() -> int:
    return int(current_app.config.get("SCHEDULER_BATCH_SIZE", 200))


def run_job(app: Flask, name: str) -> int | None:
    """Run one job in its own app context: commit what is left on success, roll back and
    log on failure (the next poll tries again; the pool's pre-ping replaces connections a
    database restart has broken). Each run has its own job id, in every line it logs and on
    every audit event it writes; its outcome is stored for the metrics. Returns the job's
    count, or None if it failed."""
    started = time.perf_counter()
    with logs.job_context() as job_id, app.app_context():
        try:
            done: int | None = JOBS[name]()
            db.session.commit()
        except Exception:
            log.exception(
                "Scheduler job %s failed; it will run again at the next poll",
                name,
                extra={"job": name, "job_id": job_id},
            )
            _forget_session()
            done = None
        finally:
            _forget_session()
        _record_outcome(name, done is not None)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        log.log(
            logging.INFO if done else logging.DEBUG,
            "job %s %s in %sms: %s",
            name,
            "failed" if done is None else "succeeded",
            duration_ms,
            done,
            extra={
                "job": name,
                "job_id": job_id,
                "outcome": "failed" if done is None else "succeeded",
                "count": done,
                "duration_ms": duration_ms,
            },
        )
    return done


def _record_outcome(name: str, succeeded: bool) -> None:
    """Store when the job last succeeded or failed (its own short transaction), so every
    web process can report it; a failure to store it is only logged."""
    from futuredoctor.models import SchedulerJobRun

    column = "last_succeeded_at" if succeeded else "last_failed_at"
    values = {column: utcnow()}
    stmt = upsert.insert(SchedulerJobRun).values(name=name, **values)
    try:
        with db.engine.begin() as conn:  # one statement, whoever made the row first
            conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_=values))
    except Exception:  # no database
        log.warning("Could not record the outcome of job %s", name, exc_info=True)


def _forget_session() -> None:
    """Roll back and drop the session, even when the database has gone away meanwhile."""
    try:
        db.session.rollback()
    except Exception:  # the connection is already broken: nothing to roll back
        log.debug("Rollback failed", exc_info=True)
    try:
        db.session.remove()
    except Exception:
        log.debug("Closing the session failed", exc_info=True)


def run_once(app: Flask) -> dict[str, int | None]:
    """Every job once, in order: queue, then send, then digests. Used by ``--once`` (cron)
    and by tests."""
    return {name: run_job(app, name) for name in JOBS}


def build_scheduler(app: Flask, interval: int) -> Any:
    """A blocking scheduler with the three jobs. Each job starts at once (catching up on
    anything that fell due while no scheduler was running), never overlaps itself, and
    coalesces missed runs into one."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    now = utcnow()
    every = {
        "queue_due_releases": interval,
        "send_notifications": interval,
        "queue_digests": max(interval, int(DIGEST_EVERY.total_seconds())),
        "refresh_summaries": max(interval, int(app.config.get("SUMMARY_REFRESH_SECONDS", 300))),
        # Reminders go a day ahead: every five minutes is soon enough.
        "queue_opportunity_reminders": max(interval, 300),
        "queue_goal_reminders": max(interval, int(DIGEST_EVERY.total_seconds())),
        "send_feedback_invitations": interval,
        "redact_free_text": max(interval, 60),
        "count_dated_people": max(interval, 60),
    }
    for name, seconds in every.items():
        scheduler.add_job(
            run_job,
            "interval",
            seconds=seconds,
            args=[app, name],
            id=name,
            name=name,
            next_run_time=now,
        )
    return scheduler


def register_scheduler_command(app: Flask) -> None:
    @app.cli.command("scheduler")
    @click.option("--once", is_flag=True, help="Run every job once and exit (for cron).")
    @click.option(
        "--interval",
        type=click.IntRange(min=1),
        default=None,
        help="Seconds between polls (default: FUTUREDOCTOR_SCHEDULER_INTERVAL or 30).",
    )
    def scheduler_command(once: bool, interval: int | None) -> None:
        """Run the scheduler: release notifications, email sending and weekly digests."""
        flask_app = current_app._get_current_object()  # type: ignore[attr-defined]
        _configure_logging()
        if once:
            results = run_once(flask_app)
            for name, done in results.items():
                click.echo(f"{name}: {'failed' if done is None else done}")
            sys.exit(1 if None in results.values() else 0)
        seconds = interval or int(flask_app.config.get("SCHEDULER_INTERVAL", 30))
        scheduler = build_scheduler(flask_app, seconds)

        def stop(signum: int, frame: Any) -> None:
            log.info("Stopping the scheduler (signal %s)", signum)
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        click.echo(
            f"Scheduler polling every {seconds} s "
            f"(mail backend: {flask_app.config.get('MAIL_BACKEND')}). Ctrl+C to stop."
        )
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            scheduler.start()


def _configure_logging() -> None:
    from futuredoctor.logs import configure_logging

    configure_logging(current_app.config)
