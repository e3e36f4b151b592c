"""Invitation links: signed, expiring, single-use, and replaceable.

The emailed token is an itsdangerous signature over the Invitation row's random nonce, so
it cannot be forged or guessed; the row makes it single-use (``accepted_at``) and
revocable (a newer invitation sets ``superseded_at`` on older ones).
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from futuredoctor.enrolment import bulk
from futuredoctor.extensions import db
from futuredoctor.models import Enrolment, EnrolmentStatus, Invitation, Notification, User, utcnow
from futuredoctor.notifications.outbox import queue
from futuredoctor.timezones import format_local

SALT = "futuredoctor.invitation"
DEFAULT_VALID_DAYS = 14
# A second request for a new link within this time re-uses the one just sent.
RESEND_COOLDOWN = timedelta(minutes=5)


def valid_days() -> int:
    return int(current_app.config.get("ENROLMENT_INVITATION_DAYS", DEFAULT_VALID_DAYS))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=SALT)


def token_for(invitation: Invitation) -> str:
    return _serializer().dumps(invitation.nonce)


def link_for(token: str) -> str:
    """The absolute link to put in the email. Always built from the configured public URL,
    never from the request's Host header, which a sender could forge to phish the invitee."""
    path = url_for("enrolment.invitation", token=token) if has_request_context() else None
    if path is None:
        with current_app.test_request_context():
            path = url_for("enrolment.invitation", token=token)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def supersede_pending(enrolment_id: int) -> None:
    """Retire any unused invitation for this enrolment: only the newest link works."""
    db.session.execute(
        sa.update(Invitation)
        .where(
            Invitation.enrolment_id == enrolment_id,
            Invitation.accepted_at.is_(None),
            Invitation.superseded_at.is_(None),
        )
        .values(superseded_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def invite(
    enrolment: Enrolment, actor: User | None, offered_from_waitlist: bool = False
) -> Invitation:
    """Issue a fresh invitation (retiring older ones) and queue its email."""
    supersede_pending(enrolment.id)
    now = utcnow()
    invitation = Invitation(
        enrolment=enrolment,
        nonce=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(days=valid_days()),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(invitation)
    db.session.flush()
    queue(**message(invitation, enrolment, offered_from_waitlist))
    return invitation


def invite_many(enrolments: Iterable[tuple[int, Any]], actor: User | None) -> int:
    """Issue invitations for many new enrolments in a few statements (bulk import).

    ``enrolments`` holds (enrolment id, a CohortLike with ``name`` and ``pilot.name``) and
    the recipient's user id is looked up with the returned rows. No older invitations exist
    for brand-new enrolments; re-enrolments retire theirs first.
    """
    items = list(enrolments)
    if not items:
        return 0
    now = utcnow()
    expires = now + timedelta(days=valid_days())
    ids = [enrolment_id for enrolment_id, _ in items]
    for condition in bulk.matching(Invitation.enrolment_id, ids):
        db.session.execute(
            sa.update(Invitation)
            .where(condition, Invitation.accepted_at.is_(None), Invitation.superseded_at.is_(None))
            .values(superseded_at=now)
            .execution_options(synchronize_session=False)
        )
    rows = [
        {
            "enrolment_id": enrolment_id,
            "nonce": secrets.token_urlsafe(32),
            "created_at": now,
            "expires_at": expires,
            "created_by_id": actor.id if actor is not None else None,
        }
        for enrolment_id in ids
    ]
    table = cast(sa.Table, Invitation.__table__)
    created = bulk.insert(table, rows, (table.c.id, table.c.enrolment_id, table.c.nonce))
    cohorts = dict(items)
    users = _user_ids(ids)
    serializer = _serializer()
    notifications = []
    # Tokens are URL-safe, so one built link serves as a pattern for all of them.
    pattern = link_for("TOKEN")
    for invitation_id, enrolment_id, nonce in created:
        link = pattern.replace("TOKEN", serializer.dumps(nonce))
        notifications.append(
            _message_row(
                invitation_id, users[enrolment_id], cohorts[enrolment_id], link, expires, False
            )
        )
    queue_bulk(notifications)
    return len(created)


def queue_bulk(rows: list[dict[str, Any]]) -> None:
    """Queue many notifications as one executemany (the outbox's multi-VALUES insert is
    built for hundreds of rows, not tens of thousands); duplicates are still skipped."""
    now = utcnow()
    bulk.insert(
        cast(sa.Table, Notification.__table__),
        [{"created_at": now, "attempts": 0, **row} for row in rows],
        skip_conflicts_on=("kind", "recipient_id", "subject_key"),
    )


def _user_ids(enrolment_ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for condition in bulk.matching(Enrolment.id, enrolment_ids):
        stmt = sa.select(Enrolment.id, Enrolment.user_id).where(condition)
        found.update({eid: uid for eid, uid in db.session.execute(stmt)})
    return found


def message(
    invitation: Invitation, enrolment: Enrolment, offered_from_waitlist: bool
) -> dict[str, Any]:
    return _message_row(
        invitation.id,
        enrolment.user_id,
        enrolment.cohort,
        link_for(token_for(invitation)),
        invitation.expires_at,
        offered_from_waitlist,
    )


def _message_row(
    invitation_id: int,
    recipient_id: int,
    cohort: Any,
    link: str,
    expires_at: datetime,
    offered_from_waitlist: bool,
) -> dict[str, Any]:
    opening = (
        f"A place has become free in {cohort.name} of {cohort.pilot.name} and it is yours."
        if offered_from_waitlist
        else f"You have a place in {cohort.name} of {cohort.pilot.name}."
    )
    body = (
        f"{opening}\n\nTo accept it, set your password and choose whether your records may be "
        f"used for the pilot's evaluation, open this link:\n\n{link}\n\n"
        f"The link works once and expires at {format_local(expires_at)}. If it has expired, "
        "the page it opens lets you ask for a new one."
    )
    return {
        "kind": "invitation",
        "recipient_id": recipient_id,
        "subject_key": f"invitation:{invitation_id}",
        "title": f"Your place in {cohort.name}: accept your invitation",
        "body": body,
        "payload": {"invitation_id": invitation_id, "link": link},
    }


class LinkState(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class ResolvedLink:
    state: LinkState
    invitation: Invitation | None = None


def resolve(token: str) -> ResolvedLink:
    """What an invitation link leads to, checked against both the signature and the row."""
    serializer = _serializer()
    expired = False
    try:
        nonce = serializer.loads(token, max_age=valid_days() * 86400)
    except SignatureExpired as error:
        expired, nonce = True, error.payload
    except BadSignature:
        return ResolvedLink(LinkState.INVALID)
    if isinstance(nonce, bytes):  # an expired token hands back the raw payload
        try:
            nonce = serializer.load_payload(nonce)
        except BadSignature:
            return ResolvedLink(LinkState.INVALID)
    if not isinstance(nonce, str):
        return ResolvedLink(LinkState.INVALID)
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.nonce == nonce))
    if invitation is None:
        return ResolvedLink(LinkState.INVALID)
    if invitation.accepted_at is not None:
        return ResolvedLink(LinkState.USED, invitation)
    if invitation.enrolment.status is not EnrolmentStatus.ENROLLED:
        return ResolvedLink(LinkState.WITHDRAWN, invitation)
    if invitation.superseded_at is not None:
        return ResolvedLink(LinkState.SUPERSEDED, invitation)
    if expired or invitation.expires_at <= utcnow():
        return ResolvedLink(LinkState.EXPIRED, invitation)
    return ResolvedLink(LinkState.VALID, invitation)


def accept(invitation: Invitation, password_hash: str | None) -> None:
    """Mark the link used; set the password when the person has none yet."""
    user = invitation.enrolment.user
    if password_hash is not None and user.password_hash is None:
        user.password_hash = password_hash
    invitation.accepted_at = utcnow()
    db.session.flush()


def renew(invitation: Invitation) -> Invitation | None:
    """A new link for the same place, or None when there is nothing to renew (already
    accepted, or the place was withdrawn). Repeated requests within a few minutes re-use
    the link just sent instead of filling the person's inbox."""
    enrolment = invitation.enrolment
    if enrolment.status is not EnrolmentStatus.ENROLLED or _accepted(enrolment.id):
        return None
    latest = latest_pending(enrolment.id)
    if _recent_and_working(latest):
        return latest
    return invite(enrolment, None)


def _recent_and_working(invitation: Invitation | None) -> bool:
    now = utcnow()
    return (
        invitation is not None
        and invitation.expires_at > now
        and invitation.created_at > now - RESEND_COOLDOWN
    )


def renew_for_email(email: str) -> int:
    """New links for every place this address has not yet accepted; how many were sent.

    The page always says the same thing, so it does not reveal who is enrolled."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_enabled:
        return 0
    enrolments = db.session.scalars(
        sa.select(Enrolment).where(
            Enrolment.user_id == user.id, Enrolment.status == EnrolmentStatus.ENROLLED
        )
    )
    sent = 0
    for enrolment in enrolments:
        if _accepted(enrolment.id):
            continue
        if not _recent_and_working(latest_pending(enrolment.id)):
            invite(enrolment, None)
            sent += 1
    return sent


def latest_pending(enrolment_id: int) -> Invitation | None:
    return db.session.scalar(
        sa.select(Invitation)
        .where(
            Invitation.enrolment_id == enrolment_id,
            Invitation.accepted_at.is_(None),
            Invitation.superseded_at.is_(None),
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        .limit(1)
    )


def _accepted(enrolment_id: int) -> bool:
    stmt = sa.select(
        sa.exists().where(
            Invitation.enrolment_id == enrolment_id, Invitation.accepted_at.is_not(None)
        )
    )
    return bool(db.session.scalar(stmt))
