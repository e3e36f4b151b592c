"""Mentoring pairings: request, accept or decline, agree, log meetings, end.

Every state change is a conditional UPDATE on the state it expects (``WHERE status =
'requested'``), and accepting takes a place with ``places_taken < capacity`` in the same
way, so two clicks, two tabs or twenty mentees at once can neither accept a request twice
nor fill more places than offered. A refusal rolls the whole request back.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from futuredoctor import clock
from futuredoctor.date_input import DateInputError, date_from_text
from futuredoctor.extensions import db
from futuredoctor.models import (
    MentoringMeeting,
    MentorOffer,
    Mentorship,
    PairingStatus,
    User,
    utcnow,
)
from futuredoctor.notifications.outbox import queue
from futuredoctor.refusals import Refusal

TEXT_MAX = 1000


def _changed(stmt: Any) -> bool:
    result = db.session.execute(stmt.execution_options(synchronize_session=False))
    return cast("sa.CursorResult[Any]", result).rowcount == 1


def _text(value: str | None, field: str, label: str, limit: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Refusal(field, f"Enter {label.lower()}")
    if len(text) > limit:
        raise Refusal(field, f"{label} must be {limit:,} characters or fewer")
    return text


def request_mentor(mentee: User, offer: MentorOffer, message: str | None) -> Mentorship:
    if offer.user_id == mentee.id:
        raise Refusal("message", "You cannot ask yourself to be your mentor")
    if not offer.is_open:
        raise Refusal("message", f"{offer.mentor.full_name} is not taking new mentees")
    text = _text(message, "message", "A short message", TEXT_MAX, required=True)
    existing = db.session.scalar(
        sa.select(Mentorship).where(
            Mentorship.offer_id == offer.id,
            Mentorship.mentee_id == mentee.id,
            Mentorship.status.in_([PairingStatus.REQUESTED, PairingStatus.ACTIVE]),
        )
    )
    if existing is not None:
        raise Refusal("message", _already(existing, offer))
    if offer.places_taken >= offer.capacity:
        raise Refusal("message", f"{offer.mentor.full_name} has no places left")
    pairing = Mentorship(
        offer_id=offer.id, mentor_id=offer.user_id, mentee_id=mentee.id, message=text
    )
    try:
        with db.session.begin_nested():
            db.session.add(pairing)
            db.session.flush()
    except IntegrityError:  # the same request sent twice at once: one wins
        raise Refusal("message", f"You have already asked {offer.mentor.full_name}") from None
    queue(
        "mentoring_request",
        offer.user_id,
        f"mentorship-{pairing.id}",
        "Someone would like you to mentor them",
        f"{mentee.full_name} asked you to be their mentor. Sign in and open Mentoring to "
        "accept or decline.",
    )
    return pairing


def _already(existing: Mentorship, offer: MentorOffer) -> str:
    if existing.status is PairingStatus.ACTIVE:
        return f"{offer.mentor.full_name} is already your mentor"
    return f"You have already asked {offer.mentor.full_name}; wait for their answer"


def respond(mentor: User, pairing: Mentorship, decision: str | None, note: str | None) -> None:
    """Accept (taking one of the mentor's places) or decline a request."""
    if pairing.mentor_id != mentor.id:
        raise Refusal("decision", "Only the mentor can answer this request")
    if decision not in ("accept", "decline"):
        raise Refusal("decision", "Choose whether to accept or decline")
    text = _text(note, "note", "Note", TEXT_MAX)
    new = PairingStatus.ACTIVE if decision == "accept" else PairingStatus.DECLINED
    if not _changed(
        sa.update(Mentorship)
        .where(Mentorship.id == pairing.id, Mentorship.status == PairingStatus.REQUESTED)
        .values(status=new, response_note=text, responded_at=utcnow())
    ):
        raise Refusal("decision", "This request has already been answered or withdrawn")
    if new is PairingStatus.ACTIVE and not _changed(
        sa.update(MentorOffer)
        .where(MentorOffer.id == pairing.offer_id, MentorOffer.places_taken < MentorOffer.capacity)
        .values(places_taken=MentorOffer.places_taken + 1)
    ):
        raise Refusal(
            "decision",
            "You have no places left. Decline, or end a pairing or raise your capacity first.",
        )
    db.session.refresh(pairing)
    db.session.refresh(pairing.offer)
    queue(
        "mentoring_response",
        pairing.mentee_id,
        f"mentorship-{pairing.id}",
        "Your mentoring request was answered",
        f"{mentor.full_name} {'accepted' if new is PairingStatus.ACTIVE else 'declined'} "
        "your mentoring request. Sign in and open Mentoring to see their note.",
    )


def withdraw(mentee: User, pairing: Mentorship) -> None:
    if pairing.mentee_id != mentee.id:
        raise Refusal(None, "Only the person who asked can withdraw a request")
    if not _changed(
        sa.update(Mentorship)
        .where(Mentorship.id == pairing.id, Mentorship.status == PairingStatus.REQUESTED)
        .values(status=PairingStatus.WITHDRAWN, responded_at=utcnow())
    ):
        raise Refusal(None, "This request has already been answered")
    db.session.refresh(pairing)


def _active(pairing: Mentorship, field: str | None) -> None:
    if pairing.status is not PairingStatus.ACTIVE:
        raise Refusal(field, "This mentoring is not active")


def agree(user: User, pairing: Mentorship, goals: str | None, frequency: str | None) -> None:
    """Either side records the shared agreement; the latest version stands."""
    _active(pairing, "goals")
    pairing.agreement_goals = _text(goals, "goals", "Goals", 2000, required=True)
    pairing.agreement_frequency = _text(frequency, "frequency", "How often", 200, required=True)
    pairing.agreed_at = utcnow()
    db.session.flush()


def log_meeting(
    user: User, pairing: Mentorship, met_on: str | date | None, notes: str | None
) -> MentoringMeeting:
    _active(pairing, "met_on")
    if isinstance(met_on, date):
        day: date | None = met_on
    else:
        try:
            day = date_from_text(met_on, what="The date you met")
        except DateInputError as problem:
            raise Refusal("met_on", problem.message) from None
    if day is None:
        raise Refusal("met_on", "Enter the date you met")
    if day > clock.today_uk():
        raise Refusal("met_on", "The date you met must be today or in the past")
    if day < pairing.requested_at.astimezone(clock.local_zone()).date():
        raise Refusal("met_on", "The date you met must be after the mentoring was requested")
    meeting = MentoringMeeting(
        mentorship=pairing,
        author_id=user.id,
        met_on=day,
        notes=_text(notes, "notes", "Notes", 4000, required=True),
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def end(user: User, pairing: Mentorship, feedback: str | None) -> None:
    """Either side ends an active pairing (freeing the mentor's place), with optional
    feedback that the other side sees."""
    text = _text(feedback, "feedback", "Feedback", 2000)
    if not _changed(
        sa.update(Mentorship)
        .where(Mentorship.id == pairing.id, Mentorship.status == PairingStatus.ACTIVE)
        .values(status=PairingStatus.ENDED, ended_at=utcnow(), ended_by_id=user.id)
    ):
        raise Refusal("feedback", "This mentoring is not active")
    _changed(
        sa.update(MentorOffer)
        .where(MentorOffer.id == pairing.offer_id, MentorOffer.places_taken > 0)
        .values(places_taken=MentorOffer.places_taken - 1)
    )
    db.session.refresh(pairing)
    db.session.refresh(pairing.offer)
    if user.id == pairing.mentor_id:
        pairing.mentor_feedback = text
    else:
        pairing.mentee_feedback = text
    other = pairing.mentee_id if user.id == pairing.mentor_id else pairing.mentor_id
    queue(
        "mentoring_ended",
        other,
        f"mentorship-{pairing.id}",
        "Your mentoring has ended",
        f"{user.full_name} ended your mentoring. Thank you for taking part. Sign in and open "
        "Mentoring to see any feedback and to leave your own.",
    )
    db.session.flush()


def leave_feedback(user: User, pairing: Mentorship, feedback: str | None) -> None:
    """The side that did not end a pairing can still leave feedback afterwards."""
    if pairing.status is not PairingStatus.ENDED:
        raise Refusal("feedback", "Feedback is left when the mentoring ends")
    text = _text(feedback, "feedback", "Feedback", 2000, required=True)
    if user.id == pairing.mentor_id:
        pairing.mentor_feedback = text
    else:
        pairing.mentee_feedback = text
    db.session.flush()


def _person(relationship: Any) -> Any:
    """The other person of a pairing as its lists show them: their name, not their grants."""
    return (
        joinedload(relationship)
        .load_only(User.given_name, User.family_name)
        .lazyload(User.grants)
    )


# Built once with the person bound: their mentoring page reads it on every visit.
_PAIRINGS_OF = (
    sa.select(Mentorship)
    .where(
        sa.or_(
            Mentorship.mentor_id == sa.bindparam("user_id"),
            Mentorship.mentee_id == sa.bindparam("user_id"),
        )
    )
    .options(_person(Mentorship.mentor), _person(Mentorship.mentee))
    .order_by(Mentorship.requested_at.desc(), Mentorship.id.desc())
)


def pairings_of(user: User) -> list[Mentorship]:
    """Every pairing the user is in, as mentor or mentee, newest first."""
    return list(db.session.scalars(_PAIRINGS_OF, {"user_id": user.id}))
