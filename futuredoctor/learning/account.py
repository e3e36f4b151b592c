"""A participant's own account: requests to close it (handled by a national admin) and the
audit trail of downloading their data."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor import audit
from futuredoctor.extensions import db
from futuredoctor.models import AccountClosureRequest, Role, RoleGrant, User
from futuredoctor.notifications import outbox
from futuredoctor.refusals import Refusal

CLOSURE_REASON_MAX = 2_000


def pending_closure(user: User) -> AccountClosureRequest | None:
    return db.session.scalar(
        sa.select(AccountClosureRequest).where(
            AccountClosureRequest.user_id == user.id,
            AccountClosureRequest.processed_at.is_(None),
        )
    )


def latest_settled(user: User) -> AccountClosureRequest | None:
    """The person's most recently handled request, for their account page."""
    return db.session.scalar(
        sa.select(AccountClosureRequest)
        .where(
            AccountClosureRequest.user_id == user.id,
            AccountClosureRequest.processed_at.is_not(None),
        )
        .order_by(AccountClosureRequest.processed_at.desc(), AccountClosureRequest.id.desc())
        .limit(1)
    )


def request_closure(user: User, reason: str | None) -> tuple[AccountClosureRequest, bool]:
    """Record the request once; a second one while the first is pending changes nothing.
    Returns the pending request and whether it is new."""
    reason = (reason or "").replace("\r\n", "\n").strip() or None
    if reason is not None and len(reason) > CLOSURE_REASON_MAX:
        raise Refusal(
            "reason",
            f"Reason must be {CLOSURE_REASON_MAX:,} characters or fewer (it has {len(reason):,})",
        )
    existing = pending_closure(user)
    if existing is not None:
        return existing, False
    closure = AccountClosureRequest(user_id=user.id, reason=reason)
    db.session.add(closure)
    db.session.flush()  # the partial unique index refuses a concurrent second request here
    audit.record("account.closure_requested", actor=user, target=user, request_id=closure.id)
    _tell_national_admins(user, closure)
    return closure, True


def _tell_national_admins(user: User, closure: AccountClosureRequest) -> None:
    """National admins handle closures: each gets one inbox message (and email) per request."""
    admins = sa.select(RoleGrant.user_id).where(RoleGrant.role == Role.NATIONAL_ADMIN).distinct()
    outbox.queue_for_recipients(
        "account_closure_requested",
        admins,
        f"account_closure_request:{closure.id}",
        f"Request to close the account of {user.full_name}",
        f"{user.full_name} ({user.email}) asked to close their account. Find them under "
        "Users to close it, after checking nothing is pending for them.",
        {"user_id": user.id, "request_id": closure.id},
    )


def record_download(user: User) -> None:
    audit.record("personal_data.downloaded", actor=user, target=user)
