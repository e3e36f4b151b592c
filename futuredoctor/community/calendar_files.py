"""iCalendar files: one ``.ics`` per opportunity, and each person's private feed of the
opportunities they have a place on (or are waiting for), read through a revocable token.
Only a hash of the token is stored, like API tokens: a database copy cannot be used to
read anyone's calendar."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

import icalendar
import sqlalchemy as sa
from flask import current_app, url_for

from futuredoctor import clock
from futuredoctor.extensions import db
from futuredoctor.mail import message_domain
from futuredoctor.models import (
    CalendarFeed,
    Opportunity,
    Registration,
    RegistrationStatus,
    User,
)

FEED_LIMIT = 500  # the most events a feed carries: the latest first


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _event(opportunity: Opportunity, waiting: bool = False) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"opportunity-{opportunity.id}@{message_domain(current_app.config)}")
    event.add("dtstamp", clock.now())
    event.add("dtstart", opportunity.starts_at)
    event.add("dtend", opportunity.ends_at)
    event.add("summary", opportunity.title + (" (waiting list)" if waiting else ""))
    event.add("location", opportunity.location)
    event.add("description", opportunity.description)
    event.add(
        "url", url_for("community.opportunity", opportunity_id=opportunity.id, _external=True)
    )
    return event


def _calendar(events: Iterable[icalendar.Event], name: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Future Doctor pilots//Opportunities//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def opportunity_file(opportunity: Opportunity) -> bytes:
    return _calendar([_event(opportunity)], opportunity.title)


def new_feed(user: User) -> str:
    """A new feed address for the person; any earlier one stops working. Returns the
    token, shown once in the address."""
    revoke_feeds(user)
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(user=user, token_hash=_hash(token)))
    db.session.flush()
    return token


def revoke_feeds(user: User) -> int:
    result = db.session.execute(
        sa.update(CalendarFeed)
        .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=clock.now())
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    return max(getattr(result, "rowcount", 0) or 0, 0)


def has_feed(user: User) -> bool:
    stmt = sa.select(CalendarFeed.id).where(
        CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)
    )
    return db.session.scalar(stmt) is not None


def feed_owner(token: str) -> User | None:
    """The person whose live feed this token opens, or None."""
    if not token or len(token) > 100:
        return None
    stmt = (
        sa.select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(
            CalendarFeed.token_hash == _hash(token),
            CalendarFeed.revoked_at.is_(None),
            User.is_enabled.is_(True),
        )
    )
    return db.session.scalar(stmt)


def feed_file(user: User) -> bytes:
    stmt = (
        sa.select(Opportunity, Registration.status)
        .join(Registration, Registration.opportunity_id == Opportunity.id)
        .where(
            Registration.user_id == user.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .order_by(Opportunity.starts_at.desc())
        .limit(FEED_LIMIT)
    )
    events = [
        _event(o, waiting=status is RegistrationStatus.WAITLISTED)
        for o, status in db.session.execute(stmt)
    ]
    return _calendar(events, "Future Doctor opportunities")
