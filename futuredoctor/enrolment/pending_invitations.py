"""Invitations not yet accepted, across every cohort a pilot administrator manages, and
resending them in bulk.

A page costs three queries whatever its length (a count, the page of enrolments, one
aggregate over their invitations). Each resend is a new Invitation row, so "resends" is the
number of invitations sent after the first. A bulk resend goes through ``invite_many`` (and
so the outbox) and skips anyone sent a link within ``BULK_RESEND_GAP``: a second click, or
two administrators at once, never sends a person a pile of emails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from futuredoctor.enrolment import invitations
from futuredoctor.enrolment.roster import _aware
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, EnrolmentStatus, Invitation, User, utcnow
from futuredoctor.paging import Page, paginate
from futuredoctor.permissions import Permission, scope_pilots

BULK_RESEND_GAP = timedelta(hours=24)
MAX_PER_RESEND = 100  # people in one bulk action (a page holds 50)


@dataclass(frozen=True)
class PendingRow:
    enrolment: Enrolment
    first_sent: datetime | None
    last_sent: datetime | None
    resends: int
    expires_at: datetime | None  # the working link's expiry; None when every link expired

    def can_resend(self, now: datetime) -> bool:
        return self.last_sent is None or now - self.last_sent >= BULK_RESEND_GAP


def _pending(actor: User, cohort_id: int | None = None) -> sa.Select[Any]:
    """Enrolments holding a place, invited at least once, never accepted, in scope."""
    invited = sa.exists().where(Invitation.enrolment_id == Enrolment.id)
    accepted = sa.exists().where(
        Invitation.enrolment_id == Enrolment.id, Invitation.accepted_at.is_not(None)
    )
    stmt = (
        sa.select(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.status == EnrolmentStatus.ENROLLED, invited, ~accepted)
        .options(contains_eager(Enrolment.user), contains_eager(Enrolment.cohort))
    )
    if cohort_id is not None:
        stmt = stmt.where(Enrolment.cohort_id == cohort_id)
    return scope_pilots(stmt, actor, Permission.MANAGE_ENROLMENT, Cohort.pilot_id)


def cohorts_in_scope(actor: User) -> list[sa.Row[tuple[int, str]]]:
    """The cohorts the filter offers, as (id, name) rows: a national admin's are every
    cohort in the country, and the filter shows nothing else of them."""
    stmt = sa.select(Cohort.id, Cohort.name).order_by(Cohort.name, Cohort.id)
    scoped = scope_pilots(stmt, actor, Permission.MANAGE_ENROLMENT, Cohort.pilot_id)
    return list(db.session.execute(scoped).all())


def pending_page(
    actor: User, number: int, cohort_id: int | None = None
) -> tuple[Page, list[PendingRow]]:
    stmt = _pending(actor, cohort_id).order_by(
        sa.func.lower(Cohort.name),
        sa.func.lower(User.family_name),
        sa.func.lower(User.given_name),
        Enrolment.id,
    )
    page = paginate(stmt, number)
    facts = _sent_facts([e.id for e in page.items])
    rows = [
        PendingRow(e, *facts.get(e.id, (None, None, 0, None)))
        for e in page.items
    ]
    return page, rows


def _sent_facts(
    enrolment_ids: list[int],
) -> dict[int, tuple[datetime | None, datetime | None, int, datetime | None]]:
    """(first sent, last sent, resends, working link's expiry) per enrolment."""
    if not enrolment_ids:
        return {}
    working = sa.and_(Invitation.accepted_at.is_(None), Invitation.superseded_at.is_(None))
    stmt = (
        sa.select(
            Invitation.enrolment_id,
            sa.func.min(Invitation.created_at),
            sa.func.max(Invitation.created_at),
            sa.func.count(),
            sa.func.max(sa.case((working, Invitation.expires_at))),
        )
        .where(Invitation.enrolment_id.in_(enrolment_ids))
        .group_by(Invitation.enrolment_id)
    )
    type_ = Invitation.created_at.type
    now = utcnow()
    found = {}
    for eid, first, last, count, expires in db.session.execute(stmt):
        expiry = _aware(type_, expires)
        found[eid] = (
            _aware(type_, first),
            _aware(type_, last),
            max(0, count - 1),
            expiry if expiry is not None and expiry > now else None,
        )
    return found


@dataclass(frozen=True)
class ResendOutcome:
    sent: int
    too_recent: int  # sent a link within BULK_RESEND_GAP
    not_pending: int  # accepted, withdrawn, or not a cohort you manage


def resend(actor: User, enrolment_ids: list[int]) -> ResendOutcome:
    """Send a fresh invitation to each chosen person who is still pending and was not sent
    one recently; the rest are counted, never an error, so one stale tick stops nobody."""
    wanted = sorted(set(enrolment_ids))[:MAX_PER_RESEND]
    stmt = _pending(actor).where(Enrolment.id.in_(wanted)).with_for_update(of=Enrolment)
    enrolments = list(db.session.scalars(stmt).unique())
    facts = _sent_facts([e.id for e in enrolments])
    now = utcnow()
    due = []
    for enrolment in enrolments:
        last = facts.get(enrolment.id, (None, None, 0, None))[1]
        if last is None or now - last >= BULK_RESEND_GAP:
            due.append((enrolment.id, enrolment.cohort))
    sent = invitations.invite_many(due, actor)
    return ResendOutcome(
        sent=sent,
        too_recent=len(enrolments) - len(due),
        not_pending=len(set(enrolment_ids)) - len(enrolments),
    )
