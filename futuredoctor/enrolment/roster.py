"""A cohort's roster for staff: search, paging, invitation status and progress.

A page is one statement whatever its length: the page, each person's progress and
invitation facts (correlated sub-selects on their own index entries) and the count. The
CSV export is one streamed query.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import abort

from futuredoctor import like
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Invitation,
    Progress,
    Release,
    User,
    utcnow,
)
from futuredoctor.models.user import PERSON_DETAILS
from futuredoctor.paging import PER_PAGE, Page
from futuredoctor.spreadsheet import protect
from futuredoctor.timezones import format_local, format_local_date


class InvitationStatus(enum.StrEnum):
    ACCEPTED = "Accepted"
    SENT = "Sent"
    EXPIRED = "Expired"
    NOT_SENT = "Not sent"
    ACCOUNT_ACTIVE = "Account already active"
    NOT_APPLICABLE = "None"


@dataclass(frozen=True, slots=True)
class RosterRow:
    """A person on a roster page: the columns it shows, not the enrolment and account
    loaded whole (50 of each per page, every account's dates converted)."""

    enrolment_id: int
    status: EnrolmentStatus
    full_name: str
    email: str
    registration_body: str | None
    registration_number: str | None
    invitation: InvitationStatus
    invitation_detail: str
    started: int
    completed: int


def _search(stmt: sa.Select[Any], searching: bool, by_status: bool) -> sa.Select[Any]:
    """``stmt`` narrowed to a status (bound as ``status``) and to people whose name, email
    or registration number holds the words (bound as ``term``, a LIKE pattern)."""
    if by_status:
        stmt = stmt.where(Enrolment.status == sa.bindparam("status"))
    if searching:
        term: sa.BindParameter[str] = sa.bindparam("term")
        full_name = sa.func.lower(User.given_name + " " + User.family_name)
        stmt = stmt.where(
            sa.or_(
                full_name.like(term, escape=like.ESCAPE),
                sa.func.lower(User.email).like(term, escape=like.ESCAPE),
                sa.func.lower(sa.func.coalesce(User.registration_number, "")).like(
                    term, escape=like.ESCAPE
                ),
            )
        )
    return stmt


def _search_params(q: str, status: EnrolmentStatus | None) -> dict[str, Any]:
    return {"status": status, "term": like.contains(q.lower())}


def _per_enrolment(column: Any, of: Any) -> Any:
    """``column`` (an aggregate) over the enrolment's own rows of ``of``, as a correlated
    sub-select: an index range per person. A grouped subquery over the progress table
    counted every progress row in the country (1.5 million at national size)."""
    return sa.select(column).where(of.enrolment_id == Enrolment.id).correlate(Enrolment)


_PENDING = sa.and_(Invitation.accepted_at.is_(None), Invitation.superseded_at.is_(None))


def _facts() -> list[Any]:
    """Per person: modules started, modules completed, when an invitation was accepted,
    and when the pending invitation link expires."""
    return [
        _per_enrolment(sa.func.count(Progress.started_at), Progress).scalar_subquery(),
        _per_enrolment(sa.func.count(Progress.completed_at), Progress).scalar_subquery(),
        _per_enrolment(sa.func.max(Invitation.accepted_at), Invitation).scalar_subquery(),
        _per_enrolment(
            sa.func.max(sa.case((_PENDING, Invitation.expires_at))), Invitation
        ).scalar_subquery(),
    ]


@lru_cache(maxsize=8)
def _page_statement(searching: bool, by_status: bool) -> sa.Select[Any]:
    """A roster page's statement for this shape, built once with its values bound: staff
    open rosters all day, and building it afresh cost more than running it."""
    order = (Enrolment.family_key, Enrolment.given_key, Enrolment.id)
    cohort_id: sa.BindParameter[int] = sa.bindparam("cohort_id")
    ids = sa.select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)
    if searching:  # a search reads the accounts' own fields
        ids = ids.join(User, User.id == Enrolment.user_id)
    ids = _search(ids, searching, by_status)
    if searching:
        counted = sa.select(sa.func.count()).select_from(ids.subquery())
    else:  # every enrolment has its person, so the count needs no join
        counted = sa.select(sa.func.count()).where(Enrolment.cohort_id == cohort_id)
        if by_status:
            counted = counted.where(Enrolment.status == sa.bindparam("status"))
    chosen = (
        ids.order_by(*order)
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
        .subquery()
    )
    return (
        sa.select(
            Enrolment.id,
            Enrolment.status,
            User.given_name,
            User.family_name,
            User.email,
            User.registration_body,
            User.registration_number,
            User.password_hash.is_not(None),
            *_facts(),
            counted.correlate(None).scalar_subquery(),
        )
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.id.in_(sa.select(chosen.c.id)))
        .order_by(*order)
    )


def roster_page(
    cohort: Cohort, q: str, status: EnrolmentStatus | None, number: int
) -> tuple[Page, list[RosterRow]]:
    """One page of the cohort's people, by name, in one statement: the page chosen from
    the enrolments' own copies of the names (``ix_enrolment_cohort_name``: the next 50
    entries of one index range, where looking up every person's names on their account
    read the whole cohort), the columns shown of its 50 people with their progress and
    invitation facts, and the matches counted."""
    params = {
        **_search_params(q, status),
        "cohort_id": cohort.id,
        "limit": PER_PAGE,
        "offset": (number - 1) * PER_PAGE,
    }
    stmt = _page_statement(bool(q), status is not None)
    found = db.session.execute(stmt, params).all()
    if not found and number > 1:
        abort(404)
    total = found[0][-1] if found else 0
    type_ = Invitation.expires_at.type
    now = utcnow()
    rows = []
    for (
        enrolment_id,
        status,
        given_name,
        family_name,
        email,
        body,
        registration_number,
        has_password,
        started,
        completed,
        accepted,
        expires,
        _,
    ) in found:
        facts = (_aware(type_, accepted), _aware(type_, expires))
        label, detail = _invitation(status, bool(has_password), facts, now)
        rows.append(
            RosterRow(
                enrolment_id,
                status,
                f"{given_name} {family_name}",
                email,
                body,
                registration_number,
                label,
                detail,
                started or 0,
                completed or 0,
            )
        )
    page = Page(items=rows, number=number, per_page=PER_PAGE, total=total)
    return page, rows


def _aware(type_: Any, value: Any) -> datetime | None:
    """Aggregates lose the column type on some databases; give back an aware UTC value."""
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return type_.process_result_value(value, db.session.get_bind().dialect)


def _invitation(
    status: EnrolmentStatus,
    has_password: bool,
    facts: tuple[datetime | None, datetime | None] | None,
    now: datetime,
) -> tuple[InvitationStatus, str]:
    accepted, expires = facts or (None, None)
    if accepted is not None:
        return InvitationStatus.ACCEPTED, format_local_date(accepted)
    if status is not EnrolmentStatus.ENROLLED:
        return InvitationStatus.NOT_APPLICABLE, ""
    if expires is not None:
        if expires > now:
            return InvitationStatus.SENT, f"expires {format_local(expires)}"
        return InvitationStatus.EXPIRED, f"on {format_local(expires)}"
    if has_password:
        return InvitationStatus.ACCOUNT_ACTIVE, ""
    return InvitationStatus.NOT_SENT, ""


def released_total(cohort: Cohort) -> int:
    stmt = sa.select(sa.func.count()).where(Release.cohort_id == cohort.id, Release.is_released)
    return db.session.scalar(stmt) or 0


# --- CSV export ----------------------------------------------------------------------------

EXPORT_HEADER = [
    "email",
    "given_name",
    "family_name",
    *PERSON_DETAILS,
    "cohort",
    "status",
    "enrolled_at",
    "waitlisted_at",
    "withdrawn_at",
    "invitation",
    "modules_started",
    "modules_completed",
]


def export_rows(cohort: Cohort, q: str, status: EnrolmentStatus | None) -> Iterator[list[str]]:
    """The roster as CSV rows, streamed from a single query (a server-side cursor read a
    thousand rows at a time, so memory stays flat whatever the cohort's size)."""

    # Plain columns, not Enrolment and User objects: building two ORM objects per person
    # cost more than the query itself, and the download reads nothing else of them (nor
    # their role grants, which used to cost a statement per 500 people).
    stmt = (
        sa.select(
            User.email,
            User.given_name,
            User.family_name,
            *(getattr(User, name) for name in PERSON_DETAILS),
            Enrolment.status,
            Enrolment.enrolled_at,
            Enrolment.waitlisted_at,
            Enrolment.withdrawn_at,
            User.password_hash.is_not(None),
            *_facts(),
        )
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.cohort_id == cohort.id)
        .order_by(Enrolment.family_key, Enrolment.given_key, Enrolment.id)
        .execution_options(yield_per=1000)
    )
    now = utcnow()
    type_ = Invitation.expires_at.type
    details = len(PERSON_DETAILS)
    yield EXPORT_HEADER
    searched = _search(stmt, bool(q), status is not None)
    for row in db.session.execute(searched, _search_params(q, status)):
        person = row[: 3 + details]
        state, enrolled, waitlisted, withdrawn, has_password = row[3 + details : 8 + details]
        started, completed, accepted, expires = row[8 + details :]
        label, _ = _invitation(
            state, has_password, (_aware(type_, accepted), _aware(type_, expires)), now
        )
        yield [
            protect("" if v is None else str(v))
            for v in (
                *person,
                cohort.slug,
                state.value,
                _iso(enrolled),
                _iso(waitlisted),
                _iso(withdrawn),
                label.value,
                started or 0,
                completed or 0,
            )
        ]


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""
