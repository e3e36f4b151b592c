"""One bad message never stops the others; a claim that never finishes is taken again
after its lease; every email's Message-ID comes from its outbox row."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.mail import sent_messages
from futuredoctor.models import Notification
from futuredoctor.notifications import delivery, outbox
from futuredoctor.releases import notify
from tests.factories import make_module, make_release
from tests.scheduler.conftest import Scene
from tests.scheduler.conftest import scene as scheduler_scene

scene = scheduler_scene  # the scheduler tests' cohort with three enrolled participants


def _rows() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).order_by(Notification.id)))


@pytest.fixture
def queued(app, db_session, scene: Scene) -> list[int]:
    """Three waiting rows, the middle one with a title no email header can carry."""
    people = scene.participants
    outbox.queue("module_released", people[0].id, "a", "Good one", "Body")
    outbox.queue("module_released", people[1].id, "b", "Bad\nBcc: everyone@example.com", "Body")
    outbox.queue("module_released", people[2].id, "c", "Good two", "Body")
    db_session.commit()
    return [row.id for row in _rows()]


def test_a_poison_message_is_set_aside_and_the_others_are_sent(app, queued):
    report = delivery.send_queued(clock.now())
    assert (report.sent, report.failed, report.given_up) == (2, 1, 1)
    assert sorted(m["Subject"] for m in sent_messages(app)) == ["Good one", "Good two"]
    good, bad, other = _rows()
    assert good.sent_at and other.sent_at and bad.sent_at is None
    assert bad.failed_at is not None and bad.attempts == 1
    assert "Cannot build the email" in (bad.last_error or "")
    assert "linefeed" in (bad.last_error or "")
    # Given up: later rounds leave it alone instead of retrying it forever.
    assert delivery.send_queued(clock.now() + timedelta(days=1)).sent == 0
    assert _rows()[1].attempts == 1


def test_any_exception_while_sending_is_recorded_and_retried(app, queued, monkeypatch):
    def broken(message) -> None:
        if message["Subject"] == "Good one":
            raise KeyError("template variable")
        sent_messages(app).append(message)

    monkeypatch.setattr(delivery, "send", broken)
    now = clock.now()
    report = delivery.send_queued(now)
    assert (report.sent, report.failed, report.given_up) == (1, 2, 1)
    first = _rows()[0]
    assert first.failed_at is None and first.attempts == 1
    assert first.last_error == "KeyError: 'template variable'"
    pause = first.next_attempt_at - now  # one minute after the failure, a moment into the round
    assert timedelta(minutes=1) <= pause < timedelta(minutes=1, seconds=30)


def test_a_send_that_keeps_failing_is_given_up_after_max_attempts(app, queued, monkeypatch):
    app.config["MAIL_MAX_ATTEMPTS"] = 2

    def broken(message) -> None:
        raise OSError("relay unreachable")

    monkeypatch.setattr(delivery, "send", broken)
    now = clock.now()
    delivery.send_queued(now)
    first = _rows()[0]
    assert (first.attempts, first.failed_at) == (1, None)
    delivery.send_queued(now + timedelta(minutes=2))
    first = _rows()[0]
    assert first.attempts == 2 and first.failed_at is not None
    assert first.last_error == "OSError: relay unreachable"


def test_a_claim_that_never_finishes_is_taken_again_after_its_lease(app, queued):
    now = clock.now()
    hold = timedelta(minutes=5)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        claimed = delivery.claim_one(conn, now, 8, hold)  # ...and the sender dies here
        assert claimed is not None and claimed.id == queued[0] and claimed.attempts == 1
        again = delivery.claim_one(conn, now + timedelta(minutes=4), 8, hold)
        assert again is not None and again.id == queued[1]  # the first is still held
    report = delivery.send_queued(now + timedelta(minutes=10))
    assert report.sent == 2  # the first two, taken again after their leases; the poison fails
    first = _rows()[0]
    assert first.sent_at is not None and first.attempts == 2


def test_claims_that_never_finish_are_given_up_after_max_attempts(app, queued):
    now = clock.now()
    db.session.execute(sa.update(Notification).values(attempts=8, next_attempt_at=now))
    db.session.commit()
    report = delivery.send_queued(now)
    assert report.given_up == 3 and report.sent == 0
    assert all(r.failed_at and "No result recorded" in (r.last_error or "") for r in _rows())


def test_message_id_is_stable_per_row_and_names_the_sending_domain(app, queued):
    app.config["MAIL_FROM"] = "Future Doctor <no-reply@pilots.example.nhs.uk>"
    delivery.send_queued(clock.now())
    ids = sorted(m["Message-ID"] for m in sent_messages(app))
    assert ids == [f"<notification-{n}@pilots.example.nhs.uk>" for n in (queued[0], queued[2])]


def test_discarded_rows_are_never_sent(app, queued):
    db.session.execute(sa.update(Notification).values(discarded_at=clock.now()))
    db.session.commit()
    assert delivery.send_queued(clock.now()).sent == 0


def test_a_release_that_cannot_be_queued_does_not_stop_the_others(
    app,
    db_session,
    scene: Scene,
    monkeypatch,
):
    bad = make_release(make_module().latest, scene.cohort, days_from_now=-0.02)
    good = make_release(scene.version, scene.cohort, days_from_now=-0.01)
    db_session.commit()
    real = notify.queue_release_notifications

    def fragile(release, now):
        if release.id == bad.id:
            raise RuntimeError("cannot queue this one")
        return real(release, now)

    monkeypatch.setattr(notify, "queue_release_notifications", fragile)
    assert notify.queue_due_release_notifications(clock.now()) == 3
    db_session.commit()
    keys = {row.subject_key for row in _rows()}
    assert keys == {f"release:{good.id}"}
    assert db_session.get(type(bad), bad.id).notifications_queued_at is None


def test_a_failing_release_is_recorded_and_waits_a_growing_pause(
    app, db_session, scene: Scene, monkeypatch, frozen_now, time_machine
):
    """The failure, its reason and the next try are stored, so a release that always
    fails cannot take every poll's turn from the others (only ``limit`` are taken)."""
    bad = make_release(make_module().latest, scene.cohort, days_from_now=-0.02)
    db_session.commit()
    real = notify.queue_release_notifications

    def fragile(release, now):
        if release.id == bad.id:
            raise RuntimeError("cannot queue this one")
        return real(release, now)

    monkeypatch.setattr(notify, "queue_release_notifications", fragile)
    notify.queue_due_release_notifications(clock.now(), limit=1)
    db_session.commit()
    bad = db_session.get(type(bad), bad.id)
    assert (bad.notify_attempts, bad.notify_error) == (1, "RuntimeError: cannot queue this one")
    assert bad.notify_retry_at == frozen_now + timedelta(minutes=1)
    # Within the pause the next poll's single slot goes to a release that can be queued.
    good = make_release(scene.version, scene.cohort, days_from_now=-0.01)
    db_session.commit()
    assert notify.queue_due_release_notifications(clock.now(), limit=1) == 3
    db_session.commit()
    time_machine.shift(timedelta(minutes=1))
    notify.queue_due_release_notifications(clock.now(), limit=1)
    db_session.commit()
    assert (bad.notify_attempts, bad.notify_retry_at) == (2, clock.now() + timedelta(minutes=2))
    assert notify.retry_pause(30) == timedelta(hours=6)
    assert [r.id for r in notify.failing_releases()] == [bad.id]
    assert good.notify_attempts == 0 and good.notifications_queued_at is not None


def test_a_digest_row_the_database_refuses_does_not_stop_the_others(
    app, db_session, scene: Scene, monkeypatch
):
    from futuredoctor.notifications import digest

    make_release(scene.version, scene.cohort, days_from_now=-1)
    db_session.commit()
    poisoned = scene.participants[1].id
    real = digest.queue_many

    def picky(rows):
        rows = list(rows)
        if any(row["recipient_id"] == poisoned for row in rows):
            db.session.execute(sa.text("SELECT * FROM no_such_table"))  # the database refuses
        return real(rows)

    monkeypatch.setattr(digest, "queue_many", picky)
    due = clock.now() + timedelta(days=7 - clock.now().weekday(), hours=12)  # after Mon 08:00
    assert digest.queue_weekly_digests(due) == 2
    db_session.commit()
    queued = {row.recipient_id for row in _rows() if row.kind == "weekly_digest"}
    assert queued == {scene.participants[0].id, scene.participants[2].id}
