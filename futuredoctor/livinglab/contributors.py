"""Public contributors: the patients and members of the public a pilot records.

They have no account, so a lead educator keeps their record: a display name or pseudonym,
how they take part and whether they agreed to be named in credits. Credits read that
consent when a page is shown, so changing it changes every credit at once. A contributor
that feedback or a session refers to is retired rather than deleted, keeping the history
whole; one nothing refers to is simply removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from futuredoctor import clock, like
from futuredoctor.extensions import db
from futuredoctor.livinglab.scope import TRIAGE
from futuredoctor.models import (
    CodesignAttendee,
    ContributorInvolvement,
    FeedbackItem,
    Involvement,
    Pilot,
    PublicContributor,
    User,
    utcnow,
)
from futuredoctor.paging import Page, paginate
from futuredoctor.permissions import register_scoped_record, scope_pilots
from futuredoctor.refusals import Refusal

MAX_NAME = 100
MAX_NOTES = 2000
SHOW = {"current": "Current contributors", "retired": "Retired contributors", "all": "Everyone"}


@dataclass(frozen=True)
class ContributorDetails:
    """What a lead educator types about a contributor (already checked by the form)."""

    display_name: str
    kinds: list[Involvement]
    credit_consent: bool
    credit_consent_on: date
    notes: str | None


@dataclass(frozen=True)
class ContributorRow:
    contributor: PublicContributor
    feedback: int
    sessions: int


def scoped_contributors(user: User) -> sa.Select[Any]:
    stmt = sa.select(PublicContributor)
    return scope_pilots(stmt, user, TRIAGE, PublicContributor.pilot_id)


def contributors_page(user: User, search: str | None, show: str, number: int) -> Page:
    """One page of the contributors in scope, by name, with how often each gave feedback
    and came to a session: three queries however many there are."""
    stmt = scoped_contributors(user).options(
        joinedload(PublicContributor.pilot).joinedload(Pilot.region),
        selectinload(PublicContributor.involvements),
    )
    if show == "current":
        stmt = stmt.where(PublicContributor.retired_at.is_(None))
    elif show == "retired":
        stmt = stmt.where(PublicContributor.retired_at.is_not(None))
    if search:
        pattern = like.contains(search)
        stmt = stmt.where(
            sa.or_(
                PublicContributor.display_name.ilike(pattern, escape=like.ESCAPE),
                PublicContributor.notes.ilike(pattern, escape=like.ESCAPE),
            )
        )
    stmt = stmt.order_by(sa.func.lower(PublicContributor.display_name), PublicContributor.id)
    page = paginate(stmt, number)
    ids = [c.id for c in page.items]
    feedback = _counts(FeedbackItem.contributor_id, ids)
    sessions = _counts(CodesignAttendee.contributor_id, ids)
    return Page(
        items=[ContributorRow(c, feedback.get(c.id, 0), sessions.get(c.id, 0)) for c in page.items],
        number=page.number,
        per_page=page.per_page,
        total=page.total,
    )


def _counts(column: Any, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    stmt = sa.select(column, sa.func.count()).where(column.in_(ids)).group_by(column)
    return {row[0]: row[1] for row in db.session.execute(stmt)}


def _check(pilot: Pilot, details: ContributorDetails, same: PublicContributor | None) -> None:
    if not details.display_name.strip():
        raise Refusal("display_name", "Enter a display name or pseudonym")
    if len(details.display_name) > MAX_NAME:
        raise Refusal("display_name", f"Display name must be {MAX_NAME} characters or fewer")
    if not details.kinds:
        raise Refusal("involvement", "Select how they take part")
    if details.credit_consent_on > clock.today_uk():
        raise Refusal("consent_on_day", "The date they told you must be today or in the past")
    if details.notes and len(details.notes) > MAX_NOTES:
        raise Refusal("notes", f"Notes must be {MAX_NOTES:,} characters or fewer")
    clash = sa.select(PublicContributor.display_name).where(
        PublicContributor.pilot_id == pilot.id,
        sa.func.lower(PublicContributor.display_name) == details.display_name.lower(),
    )
    if same is not None:
        clash = clash.where(PublicContributor.id != same.id)
    existing = db.session.scalar(clash.limit(1))
    if existing is not None:
        raise Refusal(
            "display_name",
            f"“{existing}” is already recorded for this pilot. Choose a different display "
            "name (for example, add an initial) so credits are not confused",
        )


def _apply(contributor: PublicContributor, details: ContributorDetails) -> None:
    contributor.display_name = details.display_name
    contributor.credit_consent = details.credit_consent
    contributor.credit_consent_on = details.credit_consent_on
    contributor.notes = details.notes or None
    wanted = set(details.kinds)
    contributor.involvements = [i for i in contributor.involvements if i.kind in wanted]
    have = {i.kind for i in contributor.involvements}
    for kind in sorted(wanted - have):
        contributor.involvements.append(ContributorInvolvement(kind=kind))


def record(pilot: Pilot, details: ContributorDetails, actor: User) -> PublicContributor:
    _check(pilot, details, None)
    contributor = PublicContributor(pilot=pilot, created_by_id=actor.id, involvements=[])
    _apply(contributor, details)
    db.session.add(contributor)
    db.session.flush()
    return contributor


def update(contributor: PublicContributor, details: ContributorDetails) -> None:
    _check(contributor.pilot, details, contributor)
    _apply(contributor, details)
    db.session.flush()


def is_referenced(contributor: PublicContributor) -> bool:
    feedback = sa.select(FeedbackItem.id).where(FeedbackItem.contributor_id == contributor.id)
    attended = sa.select(CodesignAttendee.id).where(
        CodesignAttendee.contributor_id == contributor.id
    )
    return bool(db.session.scalar(sa.select(sa.or_(sa.exists(feedback), sa.exists(attended)))))


def retire(contributor: PublicContributor) -> bool:
    """Retire a contributor (kept for the feedback and sessions that name them), or remove
    one nothing refers to. Returns whether the record was removed."""
    if is_referenced(contributor):
        if contributor.retired_at is None:
            contributor.retired_at = utcnow()
            db.session.flush()
        return False
    db.session.delete(contributor)
    db.session.flush()
    return True


def reinstate(contributor: PublicContributor) -> None:
    contributor.retired_at = None
    db.session.flush()


def credit_name(contributor: PublicContributor | None) -> str | None:
    """The name to credit, only where the contributor agreed to be named."""
    if contributor is None or not contributor.credit_consent:
        return None
    return contributor.display_name


def pilot_in(pilots: list[Pilot], slug: str | None) -> Pilot | None:
    return next((p for p in pilots if p.slug == slug), None)


def _load(value: Any) -> PublicContributor | None:
    return db.session.get(PublicContributor, int(value))


register_scoped_record("public_contributor", _load, lambda c: c.pilot)
