"""Argon2id password hashing (argon2-cffi's defaults follow RFC 9106)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs as long as a hit.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


MAX_PASSWORD_LENGTH = 1024
# zxcvbn scores 0-4; 3 means "safely unguessable" against an offline attack on a slow hash.
MIN_STRENGTH = 3


def password_problem(password: str, *, email: str = "", names: tuple[str, ...] = ()) -> str | None:
    """Why a new password is not good enough, or None (NIST SP 800-63B style: length,
    not the person's own details, not a common password or an easily guessed pattern)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password must be {MAX_PASSWORD_LENGTH:,} characters or fewer"
    lowered = password.lower()
    local = email.lower().partition("@")[0]
    if email and (lowered == email.lower() or (len(local) >= 4 and local in lowered)):
        return "Password must not contain your email address"
    # Scoring is slow on very long inputs; their start decides whether they are guessable.
    if zxcvbn(password[:100], user_inputs=[email, *names])["score"] < MIN_STRENGTH:
        return (
            "This password is too easy to guess: it is a common password or follows a common "
            "pattern. Try three or four random words"
        )
    return None
