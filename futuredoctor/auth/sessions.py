"""Server-side sessions: starting one at sign-in, checking it on every request, ending it.

Flask keeps a signed cookie; on its own, signing out would only ask the browser to forget
it, and a copy would go on working until it expired. Here the cookie carries a random
token whose row must still be open, not idle too long and not older than the absolute
lifetime, so ending the row ends the session wherever the cookie has gone.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app, g, session
from flask_login import login_user, logout_user
from sqlalchemy.orm import joinedload

from futuredoctor import clock
from futuredoctor.content.choices import remember_stamp
from futuredoctor.extensions import db
from futuredoctor.models import ContentStamp, Notification, User, UserSession
from futuredoctor.models.content_stamp import STAMP_ID
from futuredoctor.notifications.outbox import remember_unread_count

TOKEN_KEY = "sid"  # noqa: S105  (the name of a session value, not a secret)
# Refreshing "last seen" is a write; once a minute is precise enough for an idle timeout.
SEEN_PRECISION = timedelta(minutes=1)

# The header's unread count comes with the account: every page shows it to participants,
# and a separate statement cost each page a round trip the account check had just made.
_unread = (
    sa.select(sa.func.count())
    .where(Notification.recipient_id == User.id, Notification.read_at.is_(None))
    .scalar_subquery()
)
# So does the content stamp, which pages that offer content choices (the network, the
# directory, forms that tag things) check before trusting what they keep in memory.
_stamp = sa.select(ContentStamp.token).where(ContentStamp.id == STAMP_ID).scalar_subquery()
_signed_in = (
    sa.select(User, UserSession, _unread.label("unread"), _stamp.label("stamp"))
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        User.id == sa.bindparam("user_id"),
        UserSession.token_hash == sa.bindparam("token_hash"),
        UserSession.ended_at.is_(None),
    )
    .options(joinedload(User.grants))
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User) -> UserSession:
    """Sign ``user`` in with a fresh session: nothing kept from before sign-in survives
    (so a CSRF token or session value planted earlier is useless afterwards)."""
    session.clear()
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = UserSession(
        token_hash=_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        authenticated_at=now,
    )
    db.session.add(row)
    db.session.flush()
    session[TOKEN_KEY] = token
    login_user(user)
    g.user_session = row
    return row


def load(user_token: str) -> User | None:
    """Flask-Login's user loader: the account, if its session row is still open."""
    user_id, _, version = user_token.partition(":")
    token = session.get(TOKEN_KEY)
    if not user_id.isdigit() or not version.isdigit() or not isinstance(token, str):
        return None
    found = (
        db.session.execute(_signed_in, {"user_id": int(user_id), "token_hash": _hash(token)})
        .unique()
        .first()
    )
    if found is None:
        return None
    user, row, unread, stamp = found
    if user.session_version != int(version):
        return None
    now = clock.now()
    config = current_app.config
    if now - row.created_at > timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]):
        _end(row, "expired")
        return None
    if now - row.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        _end(row, "idle")
        return None
    if now - row.last_seen_at >= SEEN_PRECISION:
        row.last_seen_at = now
    g.user_session = row
    remember_unread_count(user.id, int(unread or 0))
    remember_stamp(stamp)
    return user


def current() -> UserSession | None:
    return g.get("user_session")


def _end(row: UserSession, reason: str) -> None:
    row.ended_at = clock.now()
    row.ended_reason = reason


def end_current(reason: str = "signed_out") -> None:
    """Sign out of this browser: the row is closed, so a copy of the cookie is refused."""
    row = current()
    if row is not None:
        _end(row, reason)
        db.session.flush()
    logout_user()
    session.clear()
    g.pop("user_session", None)


def end_all(user: User, reason: str, keep_current: bool = False) -> int:
    """End every open session of ``user`` (all but this one with ``keep_current``);
    the number ended. Bumping the session version also voids cookies of any kind."""
    keep = current() if keep_current else None
    stmt = (
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=clock.now(), ended_reason=reason)
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    result = db.session.execute(stmt, execution_options={"synchronize_session": False})
    ended = cast("sa.CursorResult[Any]", result).rowcount
    user.session_version += 1
    db.session.flush()
    if keep is not None:
        login_user(user)  # the cookie now names the new session version
    return int(ended or 0)


def confirm_password_entered() -> None:
    """The person just typed their password again in this session."""
    row = current()
    if row is not None:
        row.authenticated_at = clock.now()
        db.session.flush()


def signed_in_recently() -> bool:
    row = current()
    if row is None:
        return False
    limit = timedelta(minutes=current_app.config["RECENT_SIGN_IN_MINUTES"])
    return clock.now() - row.authenticated_at <= limit
