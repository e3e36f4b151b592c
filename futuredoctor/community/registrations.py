"""Registering for an opportunity, the waiting list, cancelling and attendance.

A place is taken by one conditional update (``places_taken < capacity``), which the
database applies to one request at a time: thirty people pressing "Register" at once for
ten places gives exactly ten registrations and twenty on the waiting list, on SQLite and
on PostgreSQL. A freed place goes to the person who has waited longest."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa

from futuredoctor import clock
from futuredoctor.community.opportunities import is_meant_for
from futuredoctor.extensions import db
from futuredoctor.models import (
    HOLDS_PLACE,
    Opportunity,
    Registration,
    RegistrationStatus,
    User,
)
from futuredoctor.notifications.outbox import queue, queue_for_recipients
from futuredoctor.refusals import Refusal
from futuredoctor.timezones import format_local

PLACE_KIND = "opportunity_place"


def _rowcount(result: Any) -> int:
    return max(cast("sa.CursorResult[Any]", result).rowcount or 0, 0)


def _take_place(opportunity_id: int) -> bool:
    result = db.session.execute(
        sa.update(Opportunity)
        .where(Opportunity.id == opportunity_id, Opportunity.places_taken < Opportunity.capacity)
        .values(places_taken=Opportunity.places_taken + 1)
        .execution_options(synchronize_session=False, preserve_rowcount=True)
    )
    return _rowcount(result) == 1


def _give_back_place(opportunity_id: int) -> None:
    db.session.execute(
        sa.update(Opportunity)
        .where(Opportunity.id == opportunity_id, Opportunity.places_taken > 0)
        .values(places_taken=Opportunity.places_taken - 1)
        .execution_options(synchronize_session=False)
    )


_REGISTRATION = sa.select(Registration).where(
    Registration.opportunity_id == sa.bindparam("opportunity_id"),
    Registration.user_id == sa.bindparam("user_id"),
)


def registration_of(opportunity: Opportunity, user: User) -> Registration | None:
    """The person's registration for the opportunity, if any (a statement built once)."""
    params = {"opportunity_id": opportunity.id, "user_id": user.id}
    return db.session.scalar(_REGISTRATION, params)


def register(opportunity: Opportunity, user: User) -> tuple[Registration, bool]:
    """A place, or a place on the waiting list when it is full. Returns the registration
    and whether anything changed (a second click changes nothing)."""
    now = clock.now()
    if not is_meant_for(opportunity, user):
        raise Refusal(
            None,
            "This opportunity is not open to you: it is for other regions, professional "
            "groups or career stages.",
        )
    if now >= opportunity.closes_at:
        closed = format_local(opportunity.last_moment_to_register)
        raise Refusal(None, f"Registration closed on {closed}.")
    existing = registration_of(opportunity, user)
    if existing is not None and existing.status is not RegistrationStatus.CANCELLED:
        return existing, False
    placed = _take_place(opportunity.id)
    status = RegistrationStatus.REGISTERED if placed else RegistrationStatus.WAITLISTED
    if existing is None:
        existing = Registration(opportunity_id=opportunity.id, user_id=user.id)
        db.session.add(existing)
    existing.status = status
    existing.requested_at = now
    db.session.flush()
    db.session.expire(opportunity, ["places_taken"])
    return existing, True


def cancel(registration: Registration) -> None:
    """Cancel a place (it goes to the next person waiting) or a place in the queue."""
    if registration.status is RegistrationStatus.CANCELLED:
        return
    if registration.status is RegistrationStatus.ATTENDED:
        raise Refusal(None, "You attended this opportunity, so it cannot be cancelled.")
    held = registration.status in HOLDS_PLACE
    registration.status = RegistrationStatus.CANCELLED
    db.session.flush()
    if held:
        _give_back_place(registration.opportunity_id)
        fill_from_waiting_list(registration.opportunity)
    db.session.expire(registration.opportunity, ["places_taken"])


def fill_from_waiting_list(opportunity: Opportunity) -> int:
    """Give free places to the people who have waited longest; each is told through the
    outbox. Returns how many moved up."""
    moved = 0
    while True:
        next_id = db.session.scalar(
            sa.select(Registration.id)
            .where(
                Registration.opportunity_id == opportunity.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.requested_at, Registration.id)
            .limit(1)
        )
        if next_id is None or not _take_place(opportunity.id):
            break
        promoted = db.session.execute(
            sa.update(Registration)
            .where(Registration.id == next_id, Registration.status == RegistrationStatus.WAITLISTED)
            .values(status=RegistrationStatus.REGISTERED)
            .returning(Registration.user_id)
            .execution_options(synchronize_session=False)
        ).scalar()
        if promoted is None:  # someone else moved them first
            _give_back_place(opportunity.id)
            continue
        moved += 1
        queue(
            PLACE_KIND,
            promoted,
            f"opportunity-{opportunity.id}-place",
            f"You have a place: {opportunity.title}",
            f"A place came free and it is yours: {opportunity.title}, "
            f"{format_local(opportunity.starts_at)}. Cancel if you can no longer go, so "
            "the next person can have it.",
            {"opportunity_id": opportunity.id},
        )
    db.session.expire(opportunity, ["places_taken"])
    return moved


def registrations_for(opportunity: Opportunity) -> list[Registration]:
    """For the organiser: everyone registered, waiting or cancelled, in the queue's order."""
    stmt = (
        sa.select(Registration)
        .where(Registration.opportunity_id == opportunity.id)
        .options(sa.orm.joinedload(Registration.user))
        .order_by(Registration.requested_at, Registration.id)
    )
    return list(db.session.scalars(stmt))


def mark_attendance(opportunity: Opportunity, attended_ids: set[int]) -> int:
    """Set who attended among those holding a place; returns how many changed."""
    changed = 0
    for registration in registrations_for(opportunity):
        if registration.status not in HOLDS_PLACE:
            continue
        wanted = (
            RegistrationStatus.ATTENDED
            if registration.id in attended_ids
            else RegistrationStatus.REGISTERED
        )
        if registration.status is not wanted:
            registration.status = wanted
            changed += 1
    db.session.flush()
    return changed


def my_registrations(user: User, opportunity_ids: list[int]) -> dict[int, Registration]:
    """The person's own registrations among these opportunities, by opportunity id."""
    if not opportunity_ids:
        return {}
    params = {"user_id": user.id, "opportunity_ids": opportunity_ids}
    return {r.opportunity_id: r for r in db.session.scalars(_MINE_AMONG, params)}


_MINE_AMONG = sa.select(Registration).where(
    Registration.user_id == sa.bindparam("user_id"),
    Registration.opportunity_id.in_(sa.bindparam("opportunity_ids", expanding=True)),
)


def upcoming_registrations(user: User, limit: int = 10) -> list[Registration]:
    """The person's places and waiting-list places on opportunities still to come."""
    stmt = (
        sa.select(Registration)
        .join(Registration.opportunity)
        .where(
            Registration.user_id == user.id,
            Registration.status.in_([RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED]),
            Opportunity.ends_at > clock.now(),
        )
        .options(sa.orm.contains_eager(Registration.opportunity))
        .order_by(Opportunity.starts_at)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


REMINDER_KIND = "opportunity_reminder"
REMIND_BEFORE = timedelta(hours=24)


def queue_reminders(now: datetime, limit: int = 200) -> int:
    """Queue a reminder to everyone with a place on an opportunity starting within a day.
    One ``INSERT ... SELECT`` per opportunity; the outbox's unique key makes a rerun (or a
    second scheduler) a no-op. Returns how many reminders were new."""
    due = db.session.scalars(
        sa.select(Opportunity)
        .where(Opportunity.starts_at > now, Opportunity.starts_at <= now + REMIND_BEFORE)
        .order_by(Opportunity.starts_at)
        .limit(limit)
    )
    queued = 0
    for opportunity in due:
        holders = sa.select(Registration.user_id).where(
            Registration.opportunity_id == opportunity.id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
        queued += queue_for_recipients(
            REMINDER_KIND,
            holders,
            f"opportunity-{opportunity.id}-reminder",
            f"Reminder: {opportunity.title}",
            f"{opportunity.title} starts {format_local(opportunity.starts_at)}, at "
            f"{opportunity.location}. If you can no longer go, cancel so the next person "
            "can have your place.",
            {"opportunity_id": opportunity.id},
        )
    return queued
