"""Issue 3: queueing release notifications for 10,000 participants, two schedulers at once,
and how soon a running scheduler acts on a due release."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import psycopg
import sqlalchemy as sa

from benchmarks.app_context import bench_app
from benchmarks.results import Context, Result
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, Module, ModuleVersion, Release, utcnow
from futuredoctor.releases.notify import queue_due_release_notifications

TARGET_PEOPLE = 10_000


def _cohorts_totalling(target: int) -> list[int]:
    """Benchmark cohorts whose enrolments add up to at least ``target``."""
    counts = db.session.execute(
        sa.select(Enrolment.cohort_id, sa.func.count())
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Cohort.slug.like("%-bench-%"))
        .group_by(Enrolment.cohort_id)
        .order_by(Enrolment.cohort_id)
    ).all()
    chosen, total = [], 0
    for cohort_id, count in counts:
        if total >= target:
            break
        chosen.append(cohort_id)
        total += count
    return chosen


def _new_due_release(cohort_ids: list[int], slug: str) -> list[int]:
    """Release a brand-new module (so nothing collides with earlier releases) now."""
    module = Module(slug=f"{slug}-{utcnow():%H%M%S%f}")
    version = ModuleVersion(
        module=module, number=1, title=f"Benchmark release {slug}", summary="Benchmark.",
        estimated_minutes=20, delivery_mode="online", learning_outcomes=["Do a thing"],
        body_markdown="Body", changelog="First", content_hash="0" * 64,
    )
    when = utcnow() - timedelta(seconds=1)
    releases = [Release(module_version=version, cohort_id=cid, release_at=when) for cid in cohort_ids]
    db.session.add_all(releases)
    db.session.commit()
    return [r.id for r in releases]


def _people(cohort_ids: list[int]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Enrolment.cohort_id.in_(cohort_ids)))


def release_notifications(context: Context) -> list[Result]:
    results = []
    with bench_app(context.database_url):
        db.session.execute(
            sa.text("UPDATE release SET notifications_queued_at = :now"), {"now": utcnow()}
        )
        db.session.commit()
        cohorts = _cohorts_totalling(TARGET_PEOPLE)
        people = _people(cohorts)
        release_ids = _new_due_release(cohorts, "teaching-on-the-job")

        started = time.perf_counter()
        queued = queue_due_release_notifications(utcnow(), limit=1000)
        db.session.commit()
        elapsed = time.perf_counter() - started

        # Baseline: the same rows written into the same table (same indexes) by one
        # hand-written INSERT ... SELECT, rolled back afterwards.
        with psycopg.connect(context.dsn) as conn:
            started = time.perf_counter()
            conn.execute(
                "INSERT INTO notification (kind, recipient_id, subject_key, title, body, payload,"
                " created_at, attempts) SELECT 'baseline', e.user_id, 'release:' || r.id,"
                " 'New module', 'Body', '{}', %s, 0 FROM release r JOIN enrolment e"
                " ON e.cohort_id = r.cohort_id AND e.status = 'enrolled'"
                " WHERE r.id = ANY(%s)",
                (utcnow(), release_ids),
            )
            baseline = time.perf_counter() - started
            conn.rollback()
    results.append(
        Result(
            name=f"Queue release notifications for {people:,} participants ({len(cohorts)} cohorts)",
            measured=f"{elapsed:.2f} s ({queued:,} rows)",
            baseline=f"{baseline:.2f} s (hand-written INSERT … SELECT into the same table)",
            ratio=elapsed / baseline if baseline else None,
            target="< 2 s and exactly one row per participant",
            ok=elapsed < 2 and queued == people,
        )
    )
    results.append(_two_schedulers(context))
    results.append(_polling_latency(context))
    return results


def _scheduler(context: Context, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FLASK_APP": "futuredoctor",
        "FUTUREDOCTOR_DATABASE_URL": context.database_url,
        "FUTUREDOCTOR_MAIL_BACKEND": "console",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "scheduler", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _two_schedulers(context: Context) -> Result:
    """Two real scheduler processes started together on a fresh due release."""
    with bench_app(context.database_url):
        cohorts = _cohorts_totalling(TARGET_PEOPLE)
        people = _people(cohorts)
        release_ids = _new_due_release(cohorts, "quality-improvement-in-a-week")
        procs = [_scheduler(context, "--once") for _ in range(2)]
        for proc in procs:
            proc.wait(timeout=300)
        rows = db.session.scalar(
            sa.text("SELECT count(*) FROM notification WHERE subject_key = ANY(:keys)").bindparams(
                keys=[f"release:{rid}" for rid in release_ids]
            )
        )
    return Result(
        name="Two scheduler processes at once on the same due release",
        measured=f"{rows:,} outbox rows",
        baseline=f"{people:,} enrolled participants",
        ratio=rows / people if people else None,
        target="exactly one row each (ratio 1.00)",
        ok=rows == people,
    )


def _polling_latency(context: Context, interval: int = 5) -> Result:
    """A running scheduler (interval ``interval`` s) acts on a release that falls due."""
    proc = _scheduler(context, "--interval", str(interval))
    try:
        time.sleep(interval + 2)  # let it start and finish its first round
        with bench_app(context.database_url):
            cohorts = _cohorts_totalling(100)
            release_ids = _new_due_release(cohorts, "safeguarding-in-generalist-practice")
            started = time.perf_counter()
            while time.perf_counter() - started < interval * 4:
                db.session.rollback()
                done = db.session.scalar(
                    sa.select(sa.func.count()).where(
                        Release.id.in_(release_ids), Release.notifications_queued_at.is_not(None)
                    )
                )
                if done == len(release_ids):
                    break
                time.sleep(0.1)
            waited = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return Result(
        name=f"Due release acted on by a running scheduler (interval {interval} s)",
        measured=f"{waited:.1f} s",
        baseline=f"{interval} s polling interval",
        ratio=waited / interval,
        target="within one interval (ratio ≤ 1.00)",
        ok=waited <= interval,
    )
