"""Two schedulers at once on PostgreSQL: exactly one notification per participant and
exactly one email per notification, whether the two run as threads racing on a barrier
or as two real ``flask scheduler --once`` processes."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from futuredoctor.config import PROJECT_ROOT
from futuredoctor.extensions import db
from futuredoctor.mail import sent_messages
from futuredoctor.models import Notification, Release, utcnow
from futuredoctor.notifications.delivery import send_queued
from futuredoctor.releases.notify import queue_due_release_notifications
from tests.conftest import _fresh_database
from tests.factories import make_module, make_release
from tests.scheduler.conftest import enrol_participants
from tests.travel import python_command

PARTICIPANTS = 60


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """These tests are about row locking, so they run on PostgreSQL only."""
    yield from _fresh_database(request, tmp_path, content=True)


@pytest.fixture
def due(app, db_session, scene):
    """Two due releases to a cohort with 63 enrolled participants."""
    app.config["MAIL_BACKEND"] = "memory"
    enrol_participants(scene.cohort, PARTICIPANTS)
    make_release(scene.version, scene.cohort, days_from_now=-0.01)
    make_release(make_module().latest, scene.cohort, days_from_now=-0.02)
    db_session.commit()
    return 2 * (PARTICIPANTS + 3)


def _race(app, work, threads: int = 2) -> list[object]:
    barrier = threading.Barrier(threads)
    results: list[object] = [None] * threads
    errors: list[BaseException] = []

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results[index] = work()
                db.session.commit()
            except BaseException as error:  # reported below, not lost in the thread
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    return results


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) or 0


def test_two_threads_queue_each_notification_once(app, due):
    results = _race(app, lambda: queue_due_release_notifications(utcnow()))
    assert sum(results) == due  # type: ignore[arg-type]
    assert _count() == due
    db.session.expire_all()
    assert all(r.notifications_queued_at for r in db.session.scalars(sa.select(Release)))


def test_two_threads_send_each_notification_once(app, due, monkeypatch):
    _race(app, lambda: queue_due_release_notifications(utcnow()), threads=1)
    from futuredoctor.notifications import delivery

    real_send = delivery.send

    def slow_send(message) -> None:  # like a real relay: slow enough for the two to overlap
        time.sleep(0.003)
        real_send(message)

    monkeypatch.setattr(delivery, "send", slow_send)

    def drain() -> int:
        sent = 0
        while True:
            report = send_queued(utcnow(), limit=10)
            db.session.commit()
            if not report.sent:
                return sent
            sent += report.sent

    results = _race(app, drain)
    messages = sent_messages(app)
    assert len(messages) == due
    assert len({m["Message-ID"] for m in messages}) == due
    assert sum(results) == due  # type: ignore[arg-type]
    assert all(r > 0 for r in results), results  # both took part: they shared the work


def test_two_scheduler_processes_send_exactly_once(digest_week, app, due, tmp_path):
    env = {
        **os.environ,
        "FLASK_APP": "futuredoctor",
        "FUTUREDOCTOR_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "FUTUREDOCTOR_MAIL_BACKEND": "file",
        "FUTUREDOCTOR_MAIL_FILE_DIR": str(tmp_path / "mail"),
        "FUTUREDOCTOR_SCHEDULER_BATCH_SIZE": "100",
    }
    flask = python_command("flask", "scheduler", "--once")  # at the test clock
    processes = [
        subprocess.Popen(
            flask,
            env=env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    # Each --once run sends one batch; finish whatever is left, as the next poll would.
    for _ in range(10):
        done = subprocess.run(flask, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
        if "send_notifications: 0" in done.stdout:
            break
    released = db.session.scalar(
        sa.select(sa.func.count()).where(Notification.kind == "module_released")
    )
    assert released == due
    # Every row was emailed once: the release notices and this week's digests.
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == _count() == due + PARTICIPANTS + 3
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).where(Notification.sent_at.is_(None))) == 0
