"""Self-service requests to join a cohort, and the pilot administrator's decision.

The public form applies the same eligibility and registration rules as staff enrolment.
Approval goes through ``capacity.enrol``, so an approved person still joins the waitlist
when the cohort is full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from futuredoctor import audit
from futuredoctor.enrolment import capacity
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    Enrolment,
    JoinRequest,
    JoinRequestStatus,
    Pilot,
    Role,
    RoleGrant,
    User,
    utcnow,
)
from futuredoctor.models.user import PERSON_DETAILS
from futuredoctor.notifications.outbox import queue, queue_many
from futuredoctor.paging import Page, paginate
from futuredoctor.permissions import Permission, scope_pilots
from futuredoctor.refusals import Refusal


@dataclass(frozen=True)
class Applicant:
    email: str
    given_name: str
    family_name: str
    professional_group: str
    registration_body: str | None
    registration_number: str | None
    career_stage: str | None
    employer: str | None
    message: str | None


# What a join request records about the person, and what an approved request copies into
# their new account.
COPIED_DETAILS = ("given_name", "family_name", *PERSON_DETAILS)


def _person_details(source: Any) -> dict[str, Any]:
    return {name: getattr(source, name) for name in COPIED_DETAILS}


def window_open(cohort: Cohort, today: date) -> bool:
    return cohort.enrolment_opens <= today <= cohort.enrolment_closes


def submit(cohort: Cohort, applicant: Applicant, user: User | None) -> JoinRequest:
    """Record a request (or return the pending one for this address: resubmitting the
    form must not queue a second request) and tell the pilot's administrators."""
    email = applicant.email.strip().lower()
    pending = db.session.scalar(
        sa.select(JoinRequest).where(
            JoinRequest.cohort_id == cohort.id,
            JoinRequest.email == email,
            JoinRequest.status == JoinRequestStatus.PENDING,
        )
    )
    if pending is not None:
        return pending
    request = JoinRequest(
        cohort=cohort,
        user_id=user.id if user is not None else None,
        email=email,
        message=applicant.message,
        **_person_details(applicant),
    )
    db.session.add(request)
    db.session.flush()
    admins = db.session.scalars(
        sa.select(RoleGrant.user_id).where(
            RoleGrant.pilot_id == cohort.pilot_id, RoleGrant.role == Role.PILOT_ADMIN
        )
    )
    queue_many(
        {
            "kind": "join_request",
            "recipient_id": admin_id,
            "subject_key": f"join_request:{request.id}",
            "title": f"New request to join {cohort.name}",
            "body": (
                f"{request.given_name} {request.family_name} asked to join {cohort.name} of "
                f"{cohort.pilot.name}. Review it on the join requests page."
            ),
            "payload": {"join_request_id": request.id, "cohort": cohort.slug},
        }
        for admin_id in set(admins)
    )
    return request


def pending_in_scope(user: User, number: int) -> Page:
    stmt = (
        sa.select(JoinRequest)
        .join(Cohort, Cohort.id == JoinRequest.cohort_id)
        .where(JoinRequest.status == JoinRequestStatus.PENDING)
        .options(joinedload(JoinRequest.cohort).joinedload(Cohort.pilot))
        .order_by(JoinRequest.created_at, JoinRequest.id)
    )
    return paginate(scope_pilots(stmt, user, Permission.MANAGE_ENROLMENT, Cohort.pilot_id), number)


def recent_decisions(user: User, limit: int = 20) -> list[JoinRequest]:
    stmt = (
        sa.select(JoinRequest)
        .join(Cohort, Cohort.id == JoinRequest.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .where(JoinRequest.status != JoinRequestStatus.PENDING)
        .options(joinedload(JoinRequest.cohort))
        .order_by(JoinRequest.decided_at.desc(), JoinRequest.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(scope_pilots(stmt, user, Permission.MANAGE_ENROLMENT, Pilot.id)))


def approve(request: JoinRequest, actor: User) -> Enrolment:
    """Enrol the requester (a new account when the address is new), or waitlist them."""
    _lock_pending(request)
    user = db.session.scalar(sa.select(User).where(User.email == request.email))
    if user is None:
        user = User(email=request.email, **_person_details(request))
        db.session.add(user)
        db.session.flush()
    try:
        enrolment = capacity.enrol(user, request.cohort, actor)
    except Refusal as refusal:
        raise Refusal(None, refusal.message + ". Decline the request instead.") from None
    _decide(request, JoinRequestStatus.APPROVED, actor, None)
    request.user_id = user.id
    return enrolment


def decline(request: JoinRequest, actor: User, reason: str | None) -> None:
    _lock_pending(request)
    _decide(request, JoinRequestStatus.DECLINED, actor, reason)
    recipient = request.user_id or db.session.scalar(
        sa.select(User.id).where(User.email == request.email)
    )
    if recipient is not None:  # the outbox needs an account to address
        queue(
            kind="join_request_declined",
            recipient_id=recipient,
            subject_key=f"join_request:{request.id}",
            title=f"Your request to join {request.cohort.name}",
            body=(
                f"Your request to join {request.cohort.name} was not approved."
                + (f"\n\nReason: {reason}" if reason else "")
            ),
            payload={"join_request_id": request.id},
        )


def _lock_pending(request: JoinRequest) -> None:
    """Lock the request so two administrators deciding at once cannot both act."""
    db.session.execute(
        sa.select(JoinRequest.id).where(JoinRequest.id == request.id).with_for_update()
    )
    db.session.refresh(request)
    if request.status is not JoinRequestStatus.PENDING:
        raise Refusal(None, f"This request has already been {request.status.value}")


def _decide(
    request: JoinRequest, status: JoinRequestStatus, actor: User, reason: str | None
) -> None:
    request.status = status
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    request.decision_reason = reason
    db.session.flush()
    audit.record(
        f"join_request.{status.value}", actor=actor, target=request, cohort=request.cohort.slug
    )
