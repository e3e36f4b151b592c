"""Places in a cohort: enrol, waitlist, withdraw, re-enrol and offer freed places.

Every change that depends on how many places are left locks the cohort row first
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serialises writers anyway), so
concurrent enrolments queue up behind each other and a cohort never goes over capacity.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from futuredoctor import audit
from futuredoctor.enrolment import invitations
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, EnrolmentStatus, Role, RoleGrant, User, utcnow
from futuredoctor.notifications.outbox import queue
from futuredoctor.refusals import Refusal

# Statuses that hold one of the cohort's places.
SEAT_STATUSES = (EnrolmentStatus.ENROLLED, EnrolmentStatus.INVITED)
ACTIVE_STATUSES = (*SEAT_STATUSES, EnrolmentStatus.WAITLISTED)


def lock_cohorts(cohort_ids: Iterable[int]) -> dict[int, Cohort]:
    """Lock the cohorts' rows (in id order, so two importers cannot deadlock) and reload
    their capacity, so the counts that follow cannot be overtaken by another request."""
    ids = sorted(set(cohort_ids))
    if not ids:
        return {}
    stmt = (
        sa.select(Cohort)
        .where(Cohort.id.in_(ids))
        .order_by(Cohort.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {c.id: c for c in db.session.scalars(stmt)}


def lock_cohort(cohort: Cohort) -> Cohort:
    return lock_cohorts([cohort.id])[cohort.id]


def seats_taken(cohort_ids: Iterable[int]) -> dict[int, int]:
    """Places held per cohort, in one grouped query."""
    ids = list(set(cohort_ids))
    taken = dict.fromkeys(ids, 0)
    if not ids:
        return taken
    stmt = (
        sa.select(Enrolment.cohort_id, sa.func.count())
        .where(Enrolment.cohort_id.in_(ids), Enrolment.status.in_(SEAT_STATUSES))
        .group_by(Enrolment.cohort_id)
    )
    taken.update({cohort_id: n for cohort_id, n in db.session.execute(stmt)})
    return taken


def free_places(cohort: Cohort) -> int:
    return max(cohort.capacity - seats_taken([cohort.id])[cohort.id], 0)


def waitlist_length(cohort: Cohort) -> int:
    stmt = sa.select(sa.func.count()).where(
        Enrolment.cohort_id == cohort.id, Enrolment.status == EnrolmentStatus.WAITLISTED
    )
    return db.session.scalar(stmt) or 0


def ensure_participant(user: User) -> None:
    if Role.PARTICIPANT not in user.roles:
        db.session.add(RoleGrant(user=user, role=Role.PARTICIPANT))


def enrol(user: User, cohort: Cohort, actor: User | None) -> Enrolment:
    """Give ``user`` a place in ``cohort``, or a waitlist position when it is full.

    A withdrawn enrolment is re-used (re-enrolment); an active one is refused, so a
    double-clicked submission cannot create two.
    """
    cohort = lock_cohort(cohort)
    enrolment = db.session.scalar(
        sa.select(Enrolment)
        .where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id)
        .execution_options(populate_existing=True)
    )
    if enrolment is not None and enrolment.status is not EnrolmentStatus.WITHDRAWN:
        waiting = enrolment.status is EnrolmentStatus.WAITLISTED
        where = "on the waitlist for" if waiting else "enrolled in"
        raise Refusal("email", f"{user.full_name} is already {where} {cohort.name}")
    now = utcnow()
    if enrolment is None:
        enrolment = Enrolment(user=user, cohort=cohort, status=EnrolmentStatus.WAITLISTED)
        db.session.add(enrolment)
    enrolment.withdrawn_at = None
    ensure_participant(user)
    if free_places(cohort) > 0:
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.enrolled_at = now
        db.session.flush()
        invitations.invite(enrolment, actor)
    else:
        enrolment.status = EnrolmentStatus.WAITLISTED
        enrolment.waitlisted_at = now
        db.session.flush()
        _queue_waitlisted(enrolment)
    audit.record(
        "enrolment.created",
        actor=actor,
        target=enrolment,
        cohort=cohort.slug,
        status=enrolment.status.value,
    )
    return enrolment


def withdraw(enrolment: Enrolment, actor: User | None) -> list[Enrolment]:
    """Withdraw someone; a place they held is offered to the waitlist straight away.

    Returns the enrolments that were given the freed place (empty if none)."""
    cohort = lock_cohort(enrolment.cohort)
    db.session.refresh(enrolment)
    if enrolment.status is EnrolmentStatus.WITHDRAWN:
        raise Refusal(None, f"{enrolment.user.full_name} has already been withdrawn")
    held_place = enrolment.status in SEAT_STATUSES
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_at = utcnow()
    invitations.supersede_pending(enrolment.id)
    db.session.flush()
    audit.record("enrolment.withdrawn", actor=actor, target=enrolment, cohort=cohort.slug)
    queue(
        kind="enrolment_withdrawn",
        recipient_id=enrolment.user_id,
        subject_key=f"withdrawn:{enrolment.id}:{enrolment.withdrawn_at.isoformat()}",
        title=f"You have been withdrawn from {cohort.name}",
        body=(
            f"Your place in {cohort.name} of {cohort.pilot.name} has been withdrawn. "
            "If this is a mistake, contact your pilot administrator."
        ),
        payload={"cohort": cohort.slug},
    )
    return offer_freed_places(cohort, actor) if held_place else []


def offer_freed_places(cohort: Cohort, actor: User | None) -> list[Enrolment]:
    """Move the longest-waiting people into any free places and tell them (oldest first)."""
    cohort = lock_cohort(cohort)
    free = free_places(cohort)
    if free <= 0:
        return []
    waiting = list(
        db.session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.cohort_id == cohort.id, Enrolment.status == EnrolmentStatus.WAITLISTED)
            .order_by(Enrolment.waitlisted_at, Enrolment.id)
            .limit(free)
        )
    )
    now = utcnow()
    for enrolment in waiting:
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.enrolled_at = now
        db.session.flush()
        invitations.invite(enrolment, actor, offered_from_waitlist=True)
        audit.record("enrolment.offered_place", actor=actor, target=enrolment, cohort=cohort.slug)
    return waiting


def _queue_waitlisted(enrolment: Enrolment) -> None:
    cohort = enrolment.cohort
    assert enrolment.waitlisted_at is not None  # only waitlisted enrolments are told so
    queue(
        kind="enrolment_waitlisted",
        recipient_id=enrolment.user_id,
        subject_key=f"waitlisted:{enrolment.id}:{enrolment.waitlisted_at.isoformat()}",
        title=f"You are on the waitlist for {cohort.name}",
        body=(
            f"{cohort.name} of {cohort.pilot.name} is full, so you are on its waitlist. "
            "We will email you an invitation as soon as a place becomes free."
        ),
        payload={"cohort": cohort.slug},
    )
