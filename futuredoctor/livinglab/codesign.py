"""Living-lab co-design sessions: who came, and the suggestions that become feedback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from futuredoctor import audit, clock
from futuredoctor.extensions import db
from futuredoctor.livinglab.scope import TRIAGE
from futuredoctor.models import (
    AttendeeKind,
    CodesignAttendee,
    CodesignSession,
    Enrolment,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    Pilot,
    PublicContributor,
    Region,
    User,
    utcnow,
)
from futuredoctor.models.module import with_version_and_module
from futuredoctor.paging import Page, paginate
from futuredoctor.permissions import scope_pilots
from futuredoctor.refusals import Refusal

ATTENDEE_KINDS = {
    "participants_count": "Participants",
    "educators_count": "Educators",
    "patients_public_count": "Patients and members of the public",
    "other_professionals_count": "Other professionals",
}
# The session's headcount column for each kind of listed attendee.
COUNT_OF = {
    AttendeeKind.PARTICIPANT: "participants_count",
    AttendeeKind.EDUCATOR: "educators_count",
    AttendeeKind.PATIENT_PUBLIC: "patients_public_count",
    AttendeeKind.OTHER: "other_professionals_count",
}
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)
PATIENT_PUBLIC = FeedbackSource.PATIENT_PUBLIC


@dataclass(frozen=True)
class Suggestion:
    module_version_id: int
    text: str
    # Who said it: the group as a whole, or one educator or patient/public member there.
    source: FeedbackSource = FeedbackSource.CODESIGN_SESSION
    # The recorded public contributor who made it, when a patient or public member did.
    contributor_id: int | None = None


# The sources a suggestion recorded at a session may carry (participants give their own).
SESSION_SOURCES = (
    FeedbackSource.CODESIGN_SESSION,
    FeedbackSource.EDUCATOR,
    FeedbackSource.PATIENT_PUBLIC,
)


def pilots_for(user: User) -> list[Pilot]:
    stmt = sa.select(Pilot).join(Region).options(joinedload(Pilot.region))
    stmt = scope_pilots(stmt, user, TRIAGE, Pilot.id).order_by(Region.name, Pilot.name)
    return list(db.session.scalars(stmt))


def sessions_page(user: User, number: int) -> Page:
    counts = (
        sa.select(sa.func.count())
        .where(FeedbackItem.codesign_session_id == CodesignSession.id)
        .correlate(CodesignSession)
        .scalar_subquery()
    )
    stmt = (
        sa.select(CodesignSession)
        .options(joinedload(CodesignSession.pilot).joinedload(Pilot.region))
        .order_by(CodesignSession.held_on.desc(), CodesignSession.id.desc())
    )
    stmt = scope_pilots(stmt, user, TRIAGE, CodesignSession.pilot_id)
    page = paginate(stmt, number)
    ids = [s.id for s in page.items]
    found: dict[int, Any] = (
        {
            row[0]: row[1]
            for row in db.session.execute(
                sa.select(CodesignSession.id, counts).where(CodesignSession.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    return Page(
        items=[(s, found.get(s.id, 0)) for s in page.items],
        number=page.number,
        per_page=page.per_page,
        total=page.total,
    )


def find_recent_duplicate(pilot: Pilot, held_on: date, title: str) -> CodesignSession | None:
    stmt = sa.select(CodesignSession).where(
        CodesignSession.pilot_id == pilot.id,
        CodesignSession.held_on == held_on,
        sa.func.lower(CodesignSession.title) == title.lower(),
    )
    return db.session.scalar(stmt.limit(1))


def record_session(
    pilot: Pilot,
    held_on: date,
    title: str,
    counts: dict[str, int],
    notes: str | None,
    suggestions: list[Suggestion],
    actor: User,
) -> tuple[CodesignSession, bool]:
    """Record a session and its suggestions; returns (session, created). Submitting the
    same session again soon after is treated as a double submit, not a second session."""
    if held_on > clock.today_uk():
        raise Refusal("held_on_day", "The session date must be today or in the past")
    existing = find_recent_duplicate(pilot, held_on, title)
    if existing is not None:
        recent = existing.created_at >= utcnow() - DOUBLE_SUBMIT_WINDOW
        if recent and existing.created_by_id == actor.id:
            return existing, False
        raise Refusal(
            "title",
            f"A session called “{existing.title}” on this date is already recorded for "
            "this pilot. Add suggestions to it, or use a different title",
        )
    session = CodesignSession(
        pilot=pilot,
        held_on=held_on,
        title=title,
        notes=notes or None,
        created_by_id=actor.id,
        **counts,
    )
    db.session.add(session)
    db.session.flush()
    for suggestion in suggestions:
        add_suggestion(session, suggestion, actor)
    return session, True


def add_suggestion(session: CodesignSession, suggestion: Suggestion, actor: User) -> FeedbackItem:
    """A suggestion becomes a feedback item of the session, status received; its source says
    whether the group, an educator or a patient or public member made it."""
    if suggestion.source not in SESSION_SOURCES:
        raise Refusal("source", "Choose who made the suggestion from the list")
    if suggestion.contributor_id is not None and suggestion.source is not PATIENT_PUBLIC:
        raise Refusal(
            "contributor",
            "Only a suggestion from a patient or member of the public can name a public "
            "contributor: choose “Not a recorded contributor” or change the source",
        )
    item = FeedbackItem(
        contributor_id=suggestion.contributor_id,
        module_version_id=suggestion.module_version_id,
        source=suggestion.source,
        codesign_session_id=session.id,
        text=suggestion.text,
        status=FeedbackStatus.RECEIVED,
        notify_on_action=False,
    )
    db.session.add(item)
    db.session.flush()
    return item


def find_suggestion(session: CodesignSession, suggestion: Suggestion) -> FeedbackItem | None:
    stmt = sa.select(FeedbackItem).where(
        FeedbackItem.codesign_session_id == session.id,
        FeedbackItem.module_version_id == suggestion.module_version_id,
        FeedbackItem.text == suggestion.text,
        FeedbackItem.source == suggestion.source,
        FeedbackItem.contributor_id.is_(None)
        if suggestion.contributor_id is None
        else FeedbackItem.contributor_id == suggestion.contributor_id,
    )
    return db.session.scalar(stmt.limit(1))


# The session page's statements, built once with the session bound: the page runs them on
# every visit, and building an ORM statement (and its cache key) cost more than running it.
_ITEMS = (
    sa.select(FeedbackItem)
    .where(FeedbackItem.codesign_session_id == sa.bindparam("session_id"))
    .options(
        *with_version_and_module(FeedbackItem.module_version),
        joinedload(FeedbackItem.contributor),
        selectinload(FeedbackItem.enrolment).joinedload(Enrolment.cohort),
        lazyload(FeedbackItem.scope_pilot),  # the session's: found in the session
        selectinload(FeedbackItem.tags),
    )
    .order_by(FeedbackItem.id)
)
_ATTENDEES = (
    sa.select(CodesignAttendee)
    .where(CodesignAttendee.session_id == sa.bindparam("session_id"))
    .options(joinedload(CodesignAttendee.contributor))
    .order_by(CodesignAttendee.id)
)


def session_items(session: CodesignSession) -> list[FeedbackItem]:
    """The items recorded in the session, with their version, module, contributor and
    tags. Their pilot and region are the session's, already read with it, and an item
    from a participant brings its cohort in a statement of its own only if there is one:
    joined for every item, the eight tables took PostgreSQL 1 ms to plan."""
    return list(db.session.scalars(_ITEMS, {"session_id": session.id}).unique())


def attendees(session: CodesignSession) -> list[tuple[str, int]]:
    return [(label, getattr(session, name)) for name, label in ATTENDEE_KINDS.items()]


@dataclass(frozen=True)
class AttendeeGroup:
    kind: AttendeeKind
    label: str
    headcount: int
    listed: list[CodesignAttendee]


def attendee_groups(session: CodesignSession) -> list[AttendeeGroup]:
    """Each kind of attendee: the session's headcount and the people listed by name or
    role (recorded contributors by their display name); one query."""
    listed = list(db.session.scalars(_ATTENDEES, {"session_id": session.id}))
    return [
        AttendeeGroup(
            kind,
            ATTENDEE_KINDS[column],
            getattr(session, column),
            [a for a in listed if a.kind is kind],
        )
        for kind, column in COUNT_OF.items()
    ]


def add_attendee(
    session: CodesignSession,
    kind: AttendeeKind,
    contributor: PublicContributor | None,
    description: str | None,
) -> CodesignAttendee:
    """List someone at the session. The headcount of their kind rises to cover everyone
    listed: a listed person is always counted."""
    description = (description or "").strip() or None
    if contributor is not None:
        if kind is not AttendeeKind.PATIENT_PUBLIC:
            raise Refusal(
                "contributor",
                "A recorded public contributor attends as a patient or member of the public",
            )
        if contributor.pilot_id != session.pilot_id:
            raise Refusal(
                "contributor", f"{contributor.display_name} is recorded for another pilot"
            )
        if contributor.retired_at is not None:
            raise Refusal(
                "contributor", f"{contributor.display_name} is retired: reinstate them first"
            )
        already = sa.select(CodesignAttendee.id).where(
            CodesignAttendee.session_id == session.id,
            CodesignAttendee.contributor_id == contributor.id,
        )
        if db.session.scalar(already.limit(1)) is not None:
            raise Refusal("contributor", f"{contributor.display_name} is already listed")
        description = None  # their record says who they are
    elif description is None:
        raise Refusal(
            "description",
            "Enter their name or role, or choose a recorded public contributor",
        )
    attendee = CodesignAttendee(
        session_id=session.id, kind=kind, contributor=contributor, description=description
    )
    db.session.add(attendee)
    db.session.flush()
    listed = db.session.scalar(
        sa.select(sa.func.count()).where(
            CodesignAttendee.session_id == session.id, CodesignAttendee.kind == kind
        )
    )
    column = COUNT_OF[kind]
    if getattr(session, column) < (listed or 0):
        setattr(session, column, listed)
        db.session.flush()
    return attendee


MAX_HEADCOUNT = 10_000  # of one type, at one session: the form says so too


def set_headcount(session: CodesignSession, counts: dict[str, int], actor: User) -> bool:
    """Correct the session's headcount by type (audited). Each count is a whole number
    from 0 to ``MAX_HEADCOUNT`` and covers the people of that type listed by name: a listed
    person is always counted. Returns whether anything changed."""
    listed = dict(
        db.session.execute(
            sa.select(CodesignAttendee.kind, sa.func.count())
            .where(CodesignAttendee.session_id == session.id)
            .group_by(CodesignAttendee.kind)
        )
        .tuples()
        .all()
    )
    for kind, column in COUNT_OF.items():
        value = counts.get(column)
        label = ATTENDEE_KINDS[column]
        if not isinstance(value, int) or isinstance(value, bool):
            raise Refusal(column, f"Enter the number of {label.lower()}, or 0")
        if not 0 <= value <= MAX_HEADCOUNT:
            raise Refusal(
                column, f"Number of {label.lower()} must be between 0 and {MAX_HEADCOUNT:,}"
            )
        named = listed.get(kind, 0)
        if value < named:
            raise Refusal(
                column,
                f"{named} {label.lower()} {'is' if named == 1 else 'are'} listed by name or "
                f"role: the number must be at least {named}, or take them off the list first",
            )
    before = {column: getattr(session, column) for column in ATTENDEE_KINDS}
    after = {column: counts[column] for column in ATTENDEE_KINDS}
    if before == after:
        return False
    for column, value in after.items():
        setattr(session, column, value)
    audit.record(
        "codesign_headcount_changed", actor=actor, target=session, before=before, after=after
    )
    db.session.flush()
    return True


def remove_attendee(session: CodesignSession, attendee_id: int) -> CodesignAttendee | None:
    """Take someone off the list (the headcount stays: they may still have come)."""
    attendee = db.session.scalar(
        sa.select(CodesignAttendee).where(
            CodesignAttendee.id == attendee_id, CodesignAttendee.session_id == session.id
        )
    )
    if attendee is not None:
        db.session.delete(attendee)
        db.session.flush()
    return attendee


def attendee_name(attendee: CodesignAttendee) -> str:
    if attendee.contributor is not None:
        return attendee.contributor.display_name
    return attendee.description or ""


def total_attendees(session: Any) -> int:
    return sum(getattr(session, name) for name in ATTENDEE_KINDS)
