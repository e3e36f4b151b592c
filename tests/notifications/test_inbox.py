"""The participant's inbox, unread count, marking read and notification preferences."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.models import Notification, Role
from futuredoctor.notifications.outbox import queue, queue_many, unread_count
from tests.factories import make_user
from tests.helpers import login


def _text(response) -> str:
    return response.get_data(as_text=True)


def _participant(db_session, **fields):
    user = make_user(roles=[(Role.PARTICIPANT, None)], **fields)
    db_session.commit()
    return user


def _notify(user, key: str, title: str = "New module: Test") -> Notification:
    queue(
        "module_released",
        user.id,
        key,
        title,
        "Body line one.\nBody line two.",
        {"module_slug": "shared-decision-making", "module_title": "Shared decision making"},
    )
    from futuredoctor.extensions import db

    return db.session.scalar(
        sa.select(Notification).where(
            Notification.recipient_id == user.id, Notification.subject_key == key
        )
    )


def test_queue_is_idempotent(db_session):
    user = _participant(db_session)
    assert queue("k", user.id, "s", "t", "b") is True
    assert queue("k", user.id, "s", "t", "b") is False
    rows = [
        {"kind": "k", "recipient_id": user.id, "subject_key": key, "title": "t", "body": "b"}
        for key in ("s", "s1", "s2")
    ]
    assert queue_many(rows) == 2  # "s" was queued already
    assert unread_count(user.id) == 3


def test_inbox_lists_own_notifications_with_unread_count(client, db_session):
    me, other = _participant(db_session), _participant(db_session)
    _notify(me, "release:1", "New module: Mine")
    _notify(other, "release:1", "New module: Theirs")
    db_session.commit()
    login(client, me)
    page = _text(client.get("/notifications"))
    assert "New module: Mine" in page and "Theirs" not in page
    assert "You have 1 unread notification." in page
    assert "Notifications (1 unread)" in _text(client.get("/"))
    assert "Body line two." in page


def test_mark_read_and_mark_all(client, db_session):
    me = _participant(db_session)
    first = _notify(me, "release:1")
    _notify(me, "release:2")
    db_session.commit()
    login(client, me)
    response = client.post("/notifications/read", data={"notification_id": str(first.id)})
    assert response.status_code == 302
    assert unread_count(me.id) == 1
    # A second click on the same notification changes nothing and does not fail.
    assert (
        client.post("/notifications/read", data={"notification_id": str(first.id)}).status_code
        == 302
    )
    assert client.post("/notifications/read-all", data={}).status_code == 302
    assert unread_count(me.id) == 0
    assert "You have no unread notifications." in _text(client.get("/notifications"))


def test_someone_elses_notification_cannot_be_marked(client, db_session):
    me, other = _participant(db_session), _participant(db_session)
    theirs = _notify(other, "release:1")
    db_session.commit()
    login(client, me)
    assert (
        client.post("/notifications/read", data={"notification_id": str(theirs.id)}).status_code
        == 404
    )
    assert client.post("/notifications/read", data={"notification_id": "x"}).status_code == 400
    assert unread_count(other.id) == 1


def test_inbox_paging_keeps_query_count_flat(client, db_session, count_queries):
    me = _participant(db_session)
    login(client, me)
    for i in range(3):
        _notify(me, f"a{i}")
    db_session.commit()
    with count_queries() as few:
        assert client.get("/notifications").status_code == 200
    for i in range(40):
        _notify(me, f"b{i}")
    db_session.commit()
    with count_queries() as many:
        assert client.get("/notifications").status_code == 200
    assert len(few) == len(many)
    assert client.get("/notifications?page=3").status_code == 200
    assert client.get("/notifications?page=4").status_code == 404


def test_preferences_are_saved_and_validated(client, db_session):
    me = _participant(db_session)
    login(client, me)
    page = _text(client.get("/notifications/preferences"))
    assert "Notification settings" in page
    response = client.post("/notifications/preferences", data={"email": "no", "digest": "no"})
    assert response.status_code == 302
    db_session.expire_all()
    assert me.email_notifications is False and me.digest_opt_out is True
    bad = client.post("/notifications/preferences", data={"email": "maybe"})
    assert bad.status_code == 400
    assert "Choose whether you want the weekly digest" in _text(bad)
    db_session.expire_all()
    assert me.email_notifications is False and me.digest_opt_out is True
