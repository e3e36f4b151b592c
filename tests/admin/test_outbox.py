"""The national admin's email outbox: failed and waiting emails, retry and discard (both
audited), and the count of failed emails on the home page."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import AuditEvent, Notification, Role
from futuredoctor.notifications import outbox
from tests.factories import make_user
from tests.helpers import login


def _admin_and_rows(db_session) -> tuple[list[Notification], object]:
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    people = [make_user(roles=[(Role.PARTICIPANT, None)]) for _ in range(3)]
    db_session.commit()
    for n, person in enumerate(people):
        outbox.queue("module_released", person.id, f"release:{n}", f"Title {n}", "Body")
    db_session.commit()
    rows = list(db_session.scalars(sa.select(Notification).order_by(Notification.id)))
    now = clock.now()
    rows[0].failed_at, rows[0].attempts = now, 1
    rows[0].last_error = "Cannot build the email: header values may not contain linefeed"
    rows[1].attempts, rows[1].last_error = 2, "SMTP relay: timed out"
    rows[1].next_attempt_at = now + timedelta(minutes=2)
    db_session.commit()
    return rows, admin


def test_the_outbox_lists_failed_then_waiting_with_reasons(client, db_session, count_queries):
    rows, admin = _admin_and_rows(db_session)
    login(client, admin)
    home = client.get("/").get_data(as_text=True)
    assert "1 email failed" in home and "/admin/outbox" in home
    with count_queries() as statements:
        page = client.get("/admin/outbox")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.index("header values may not contain linefeed") < text.index("timed out")
    assert "Failed" in text and "Retrying" in text
    assert f"</strong> to {rows[2].recipient.email}" not in text  # not tried yet: counted
    assert "1 email queued and not tried yet" in text
    assert f"to {rows[0].recipient.email}" in text and "Module released" in text
    assert len(statements) < 10  # the recipients come with the page, not one query each


def test_retry_resets_a_failed_email_and_is_audited(client, db_session):
    rows, admin = _admin_and_rows(db_session)
    login(client, admin)
    response = client.post(f"/admin/outbox/{rows[0].id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    row = db_session.get(Notification, rows[0].id)
    assert (row.failed_at, row.attempts, row.next_attempt_at) == (None, 0, None)
    event = db_session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "notification.retried")
    ).one()
    assert event.actor_id == admin.id and event.target_id == str(row.id)
    assert "linefeed" in event.details["last_error"]
    assert "will not be sent unless" not in client.get("/").get_data(as_text=True)


def test_only_failed_emails_can_be_retried(client, db_session):
    rows, admin = _admin_and_rows(db_session)
    login(client, admin)
    response = client.post(f"/admin/outbox/{rows[1].id}/retry")
    assert response.status_code == 400
    assert "still trying it" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db_session.get(Notification, rows[1].id).attempts == 2


def test_discard_keeps_the_row_and_stops_it_being_sent(client, db_session):
    rows, admin = _admin_and_rows(db_session)
    login(client, admin)
    assert client.post(f"/admin/outbox/{rows[1].id}/discard").status_code == 302
    db.session.expire_all()
    row = db_session.get(Notification, rows[1].id)
    assert row.discarded_at is not None and row.sent_at is None
    assert (
        db_session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "notification.discarded")
        )
        .one()
        .details["attempts"]
        == 2
    )
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "was discarded" in listing  # the flash message names the person...
    assert f"</strong> to {rows[1].recipient.email}" not in listing  # ...the table no more
    again = client.post(f"/admin/outbox/{rows[1].id}/discard")
    assert again.status_code == 400 and "no longer in the outbox" in again.get_data(as_text=True)


def test_an_unknown_email_is_a_404_and_others_may_not_act(client, db_session):
    rows, admin = _admin_and_rows(db_session)
    login(client, admin)
    assert client.post("/admin/outbox/999999/retry").status_code == 404
    client.post("/sign-out")
    login(client, rows[2].recipient)
    assert client.get("/admin/outbox").status_code == 403
    assert client.post(f"/admin/outbox/{rows[0].id}/discard").status_code == 403


def test_the_outbox_names_releases_whose_emails_could_not_be_queued(client, db_session):
    from tests.factories import current_cohorts, make_module, make_release

    _, admin = _admin_and_rows(db_session)
    release = make_release(
        make_module(title="Sepsis & escalation").latest, current_cohorts()["lon-current"]
    )
    release.notify_attempts, release.notify_error = 3, "OperationalError: server closed"
    release.notify_retry_at = clock.now() + timedelta(minutes=4)
    db_session.commit()
    login(client, admin)
    text = client.get("/admin/outbox").get_data(as_text=True)
    assert "Releases not announced yet" in text
    assert "Sepsis &amp; escalation</strong> (version 1) to Current cohort" in text
    assert "3 attempts" in text and "OperationalError: server closed" in text
