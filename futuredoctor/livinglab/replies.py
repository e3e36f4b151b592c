"""An educator's reply to the person who gave feedback: shown on that person's own
feedback page and sent to them through the outbox."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from sqlalchemy.orm import joinedload

from futuredoctor import audit
from futuredoctor.extensions import db
from futuredoctor.models import FeedbackItem, FeedbackReply, FeedbackSource, User, utcnow
from futuredoctor.notifications.outbox import queue
from futuredoctor.refusals import Refusal
from futuredoctor.typed_text import text_problem

MAX_REPLY = 5000


def can_reply(item: FeedbackItem) -> bool:
    """Only a participant's own feedback has someone on the platform to answer."""
    return item.source is FeedbackSource.PARTICIPANT and item.enrolment is not None


def replies_to(item_id: int) -> list[FeedbackReply]:
    stmt = (
        sa.select(FeedbackReply)
        .where(FeedbackReply.feedback_item_id == item_id)
        .options(joinedload(FeedbackReply.author))
        .order_by(FeedbackReply.created_at, FeedbackReply.id)
    )
    return list(db.session.scalars(stmt))


def reply(item: FeedbackItem, body: str, author: User) -> FeedbackReply:
    """Record the reply and queue one email to the person who gave the feedback."""
    text = body.strip()
    if not can_reply(item):
        raise Refusal("body", "Only a participant's own feedback can be replied to")
    if not text:
        raise Refusal("body", "Enter your reply")
    if len(text) > MAX_REPLY:
        raise Refusal("body", f"Reply must be {MAX_REPLY} characters or fewer")
    trouble = text_problem(text, multi_line=True)
    if trouble:
        raise Refusal("body", trouble[0].upper() + trouble[1:])
    answer = FeedbackReply(feedback_item=item, author_id=author.id, body=text, created_at=utcnow())
    db.session.add(answer)
    db.session.flush()
    assert item.enrolment is not None
    slug = item.module_version.module.slug
    if has_request_context():
        path = url_for("learning.feedback", slug=slug)
    else:
        with current_app.test_request_context():
            path = url_for("learning.feedback", slug=slug)
    link = current_app.config["PUBLIC_URL"].rstrip("/") + path
    queue(
        kind="feedback_reply",
        recipient_id=item.enrolment.user_id,
        subject_key=f"feedback_reply:{answer.id}",
        title=f"An educator replied to your feedback on “{item.module_version.title}”",
        body=f"{author.full_name} replied to your feedback:\n\n{text}\n\nRead it with your "
        f"feedback: {link}",
        payload={"feedback_item_id": item.id, "module_slug": slug, "link": link},
    )
    audit.record("feedback.replied", actor=author, target=item)
    return answer
