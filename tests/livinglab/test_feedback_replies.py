"""An educator's reply to the person who gave feedback: on the item, on the person's own
feedback page, and by email through the outbox."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.models import AuditEvent, FeedbackReply, Notification
from tests.helpers import login
from tests.livinglab.lab import MODULE


def test_reply_reaches_the_person_on_their_feedback_page_and_by_email(client, lab, db_session):
    item = lab.items[0]
    login(client, lab.educator)
    response = client.post(
        f"/feedback/{item.id}/reply", data={"body": "Thank you.\nWe will shorten the case."}
    )
    assert response.status_code == 302
    page = client.get(f"/feedback/{item.id}").get_data(as_text=True)
    assert "We will shorten the case." in page and lab.educator.full_name in page
    sent = db_session.scalars(
        sa.select(Notification).where(Notification.kind == "feedback_reply")
    ).all()
    assert [n.recipient_id for n in sent] == [lab.participant.id]
    assert "We will shorten the case." in sent[0].body
    assert f"/modules/{MODULE}/feedback" in sent[0].body
    assert db_session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "feedback.replied")
    )

    client.post("/sign-out")
    login(client, lab.participant)
    page = client.get(f"/modules/{MODULE}/feedback").get_data(as_text=True)
    assert "Replies from the module&#39;s educators" in page or "Replies from the module" in page
    assert "We will shorten the case." in page and lab.educator.full_name in page


def test_empty_and_out_of_scope_replies_are_refused(client, lab, db_session):
    login(client, lab.educator)
    response = client.post(f"/feedback/{lab.items[1].id}/reply", data={"body": "  "})
    assert response.status_code == 400
    assert "Enter your reply" in response.get_data(as_text=True)
    response = client.post(f"/feedback/{lab.items[1].id}/reply", data={"body": "x" * 5001})
    assert response.status_code == 400
    assert "5,000 characters or fewer" in response.get_data(as_text=True)
    response = client.post(f"/feedback/{lab.sw_items[0].id}/reply", data={"body": "Hello"})
    assert response.status_code == 404
    assert db_session.scalar(sa.select(sa.func.count()).select_from(FeedbackReply)) == 0
