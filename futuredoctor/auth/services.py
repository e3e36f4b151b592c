"""Authentication: password checks, lockout after repeated failures, and their audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from futuredoctor import audit
from futuredoctor.extensions import db
from futuredoctor.models import User, utcnow
from futuredoctor.passwords import hash_password, needs_rehash, verify_password

GENERIC_FAILURE = (
    "Enter a correct email address and password. After several wrong attempts, signing in "
    "pauses for a few minutes: wait, or reset your password"
)
CLOSED = "This account has been closed. Contact your pilot team."


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> LoginResult:
    """Check credentials without telling anyone whether the email exists.

    Every attempt runs the password hasher (against a dummy hash when the email is
    unknown), so a miss costs what a hit does, and every failure gets the same message.
    Repeated failures pause the account's sign-in for growing delays rather than locking
    it: a stranger cannot keep the owner out for long, and a password reset clears the
    pause at once. Only someone who knows the password learns that an account is closed.
    """
    user = find_user_by_email(email)
    now = utcnow()
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        audit.record("login.failed", reason="unknown_email", email_domain=_domain(email))
        return LoginResult(None, GENERIC_FAILURE)
    if user.locked_until is not None and user.locked_until > now:
        audit.record("login.throttled", actor=user, target=user, password_ok=password_ok)
        return LoginResult(None, GENERIC_FAILURE)
    if not password_ok:
        _count_failure(user, now)
        audit.record("login.failed", actor=user, target=user, reason="wrong_password")
        return LoginResult(None, GENERIC_FAILURE)
    if not user.is_enabled:
        audit.record("login.refused_disabled", actor=user, target=user)
        return LoginResult(None, CLOSED)

    clear_throttle(user)
    user.last_login_at = now
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("login.succeeded", actor=user, target=user)
    return LoginResult(user, None)


def _domain(email: str) -> str:
    """Enough of an unknown address to spot a pattern, never the whole address."""
    return email.rpartition("@")[2][:100].lower()


def pause_after(failures: int) -> timedelta | None:
    """How long sign-in pauses after ``failures`` wrong passwords in a row: none below the
    threshold, then 1, 2, 4... minutes, never longer than LOCKOUT_MINUTES."""
    threshold = current_app.config["LOCKOUT_THRESHOLD"]
    if failures < threshold:
        return None
    longest = current_app.config["LOCKOUT_MINUTES"]
    return timedelta(minutes=min(2 ** min(failures - threshold, 16), longest))


def _count_failure(user: User, now: datetime) -> None:
    user.failed_login_count += 1
    pause = pause_after(user.failed_login_count)
    if pause is not None:
        user.locked_until = now + pause
        audit.record(
            "account.paused",
            actor=user,
            target=user,
            minutes=int(pause.total_seconds() // 60),
            failures=user.failed_login_count,
        )


def clear_throttle(user: User) -> None:
    user.failed_login_count = 0
    user.locked_until = None


def safe_next_url(target: str | None) -> str | None:
    """Only same-site paths; anything with a scheme, host or backslash trick is dropped."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    return target
