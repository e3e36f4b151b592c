"""Authentication: password checks, lockout after repeated failures, and their audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from futuredoctor import audit
from futuredoctor.extensions import db
from futuredoctor.models import User, utcnow
from futuredoctor.passwords import hash_password, needs_rehash, verify_password

GENERIC_FAILURE = "Enter a correct email address and password"


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> LoginResult:
    """Check credentials; count failures and lock the account after too many.

    The message never says whether the email exists. A locked account says so, because
    the owner needs to know to wait or ask for help.
    """
    user = find_user_by_email(email)
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        audit.record("login.refused_locked", actor=user, target=user)
        return LoginResult(None, _locked_message(user))

    if user is None or not verify_password(user.password_hash, password):
        if user is not None:
            _count_failure(user)
        audit.record(
            "login.failed",
            actor=user,
            target=user,
            reason="unknown_email" if user is None else "wrong_password",
        )
        if user is not None and user.locked_until is not None and user.locked_until > now:
            return LoginResult(None, _locked_message(user))
        return LoginResult(None, GENERIC_FAILURE)

    if not user.is_enabled:
        audit.record("login.refused_disabled", actor=user, target=user)
        return LoginResult(None, "This account has been closed. Contact your pilot team.")

    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("login.succeeded", actor=user, target=user)
    return LoginResult(user, None)


def _count_failure(user: User) -> None:
    user.failed_login_count += 1
    if user.failed_login_count >= current_app.config["LOCKOUT_THRESHOLD"]:
        minutes = current_app.config["LOCKOUT_MINUTES"]
        user.locked_until = utcnow() + timedelta(minutes=minutes)
        user.failed_login_count = 0
        audit.record("account.locked", actor=user, target=user, minutes=minutes)


def _locked_message(user: User) -> str:
    minutes = current_app.config["LOCKOUT_MINUTES"]
    return (
        "This account is locked after too many failed attempts. "
        f"Try again in {minutes} minutes, or ask your pilot team to unlock it."
    )


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
