"""Participants' requests to close their accounts, as national admins handle them.

A request ends in one of two ways: the admin closes the account (the request is settled
with it), or keeps it open with a note the person reads in their inbox and on their
account page. Either way the request stays on record, with who decided and when.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from futuredoctor import audit
from futuredoctor.extensions import db
from futuredoctor.learning.account import pending_closure
from futuredoctor.models import AccountClosureRequest, ClosureOutcome, User, utcnow
from futuredoctor.notifications import outbox
from futuredoctor.paging import Page, paginate
from futuredoctor.refusals import Refusal
from futuredoctor.timezones import format_local

NOTE_MAX = 2_000

_PENDING = AccountClosureRequest.processed_at.is_(None)


def pending_requests(number: int) -> Page:
    """Pending requests, oldest first, with the people who made them."""
    stmt = (
        sa.select(AccountClosureRequest)
        .where(_PENDING)
        .options(joinedload(AccountClosureRequest.user))
        .order_by(AccountClosureRequest.requested_at, AccountClosureRequest.id)
    )
    return paginate(stmt, number)


def pending_count_query() -> sa.ScalarSelect[int]:
    """The number of requests waiting for a decision, to read beside other figures."""
    stmt = sa.select(sa.func.count()).select_from(AccountClosureRequest).where(_PENDING)
    return stmt.scalar_subquery()


def pending_count() -> int:
    return db.session.scalar(sa.select(pending_count_query())) or 0


def settle_on_closing(user: User, actor: User) -> AccountClosureRequest | None:
    """The account was just closed: settle the person's pending request, if any."""
    request = pending_closure(user)
    if request is not None:
        _settle(request, actor, ClosureOutcome.CLOSED, None)
    return request


def keep_open(user: User, actor: User, note: str | None) -> AccountClosureRequest | None:
    """Decline the pending request, telling the person why. None when nothing is pending
    (already handled, perhaps in another tab)."""
    note = (note or "").replace("\r\n", "\n").strip()
    if not note:
        raise Refusal("note", f"Tell {user.full_name} why the account stays open")
    if len(note) > NOTE_MAX:
        raise Refusal(
            "note",
            f"Note must be {NOTE_MAX:,} characters or fewer (it has {len(note):,})",
        )
    request = pending_closure(user)
    if request is None:
        return None
    _settle(request, actor, ClosureOutcome.KEPT_OPEN, note)
    outbox.queue(
        "account_closure_kept_open",
        user.id,
        f"account_closure_request:{request.id}:kept_open",
        "Your request to close your account",
        f"We reviewed your request of {format_local(request.requested_at)} and your account "
        f"stays open. {note}\n\nYou can ask again from your account page at any time.",
        {"request_id": request.id},
    )
    return request


def _settle(
    request: AccountClosureRequest, actor: User, outcome: ClosureOutcome, note: str | None
) -> None:
    request.processed_at = utcnow()
    request.processed_by_id = actor.id
    request.outcome = outcome.value
    request.note = note
    db.session.flush()
    audit.record(
        "account.closure_request_settled",
        actor=actor,
        target=request.user,
        request_id=request.id,
        outcome=outcome.value,
    )
