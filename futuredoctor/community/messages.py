"""Messages to champions: sent through the platform so no champion publishes an email
address. Each reaches the champion's notifications inbox and, through the outbox, their
email. Senders are limited to a few messages an hour, counted in the database so every
web worker counts the same."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.models import ChampionMessage, ChampionProfile, User
from futuredoctor.notifications.outbox import queue
from futuredoctor.refusals import Refusal
from futuredoctor.timezones import format_local

MESSAGE_KIND = "champion_message"
MESSAGES_PER_HOUR = 5
MAX_MESSAGE = 2000


def send_message(sender: User, profile: ChampionProfile, body: str) -> ChampionMessage:
    """Record the message and queue it for the champion; refuses a sender over the limit."""
    if profile.user_id == sender.id:
        raise Refusal("body", "You cannot send a message to yourself")
    now = clock.now()
    since = now - timedelta(hours=1)
    recent = list(
        db.session.scalars(
            sa.select(ChampionMessage.sent_at)
            .where(ChampionMessage.sender_id == sender.id, ChampionMessage.sent_at > since)
            .order_by(ChampionMessage.sent_at)
        )
    )
    if len(recent) >= MESSAGES_PER_HOUR:
        again = recent[len(recent) - MESSAGES_PER_HOUR] + timedelta(hours=1)
        raise Refusal(
            "body",
            f"You have sent {MESSAGES_PER_HOUR} messages to champions in the last hour. "
            f"You can send another after {format_local(again)}.",
        )
    message = ChampionMessage(sender=sender, profile=profile, body=body, sent_at=now)
    db.session.add(message)
    db.session.flush()
    queue(
        MESSAGE_KIND,
        profile.user_id,
        f"champion-message-{message.id}",
        f"Message from {sender.full_name}",
        f"{sender.full_name} sent you a message through the Future Doctor champions "
        f"directory:\n\n{body}\n\nTo reply, write to them at {sender.email}.",
        {"message_id": message.id},
    )
    return message


def recent_messages(profile: ChampionProfile, limit: int = 5) -> list[ChampionMessage]:
    """The latest messages a champion received, newest first, for their home page."""
    stmt = (
        sa.select(ChampionMessage)
        .where(ChampionMessage.profile_id == profile.id)
        .options(sa.orm.joinedload(ChampionMessage.sender))
        .order_by(ChampionMessage.sent_at.desc(), ChampionMessage.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
