"""Personal API tokens: created and revoked by their owner, stored only as a SHA-256 hash.

A token acts as its owner with the owner's current grants (a removed grant or a closed
account takes effect at once). The full token is shown once, at creation; afterwards only
its short prefix identifies it. Tokens are 256 random bits, so a plain SHA-256 (not a slow
password hash) is enough, and lets the look-up use the unique index.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from futuredoctor import audit
from futuredoctor.extensions import db
from futuredoctor.models import ApiToken, User, utcnow
from futuredoctor.refusals import Refusal
from futuredoctor.timezones import format_local

TOKEN_PREFIX = "fdk_"  # noqa: S105 (a label, not a secret)
PREFIX_LENGTH = 12  # "fdk_" and 8 characters: enough to tell a person's tokens apart
TOKEN_PATTERN = re.compile(r"^fdk_[A-Za-z0-9_-]{43}$")
EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("never", "No expiry")]
MAX_ACTIVE_TOKENS = 10


@dataclass(frozen=True)
class TokenProblem(Exception):
    """Why a bearer token was not accepted (always a 401 for the API)."""

    code: str
    message: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_tokens_query(user: User) -> sa.Select[tuple[ApiToken]]:
    return sa.select(ApiToken).where(
        ApiToken.user_id == user.id,
        ApiToken.revoked_at.is_(None),
        sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()),
    )


def tokens_for(user: User) -> list[ApiToken]:
    """All of a person's tokens, newest first (a short list: at most a handful each)."""
    stmt = sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(stmt))


def token_status(token: ApiToken, now: datetime | None = None) -> str:
    now = now or utcnow()
    if token.revoked_at is not None:
        return "Revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "Expired"
    return "Active"


def create_token(user: User, name: str, expiry: str) -> tuple[ApiToken, str]:
    """Add a token; returns it and the secret to show once. The caller commits."""
    name = name.strip()
    active = list(db.session.scalars(active_tokens_query(user)))
    if any(t.name.casefold() == name.casefold() for t in active):
        raise Refusal("name", f"You already have an active token called {name}")
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise Refusal(
            "name",
            f"You can have at most {MAX_ACTIVE_TOKENS} active tokens: revoke one first",
        )
    if expiry not in dict(EXPIRY_CHOICES):
        raise Refusal("expiry", "Select when the token expires")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        token_hash=hash_token(secret),
        expires_at=None if expiry == "never" else utcnow() + timedelta(days=int(expiry)),
    )
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", actor=user, target=token, name=name, prefix=token.prefix)
    return token, secret


def revoke_token(token: ApiToken, actor: User) -> bool:
    """Revoke; False when it was already revoked (a second click changes nothing)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record("api_token.revoked", actor=actor, target=token, prefix=token.prefix)
    return True


def authenticate(header: str | None) -> ApiToken:
    """The token named by an ``Authorization: Bearer ...`` header, or TokenProblem."""
    if not header or not header.strip():
        raise TokenProblem(
            "missing_token", "Send your API token in an 'Authorization: Bearer <token>' header."
        )
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not TOKEN_PATTERN.match(value):
        raise TokenProblem(
            "malformed_token",
            "The Authorization header must be 'Bearer ' followed by a Future Doctor API token "
            "(it starts with fdk_).",
        )
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(value)))
    if token is None:
        raise TokenProblem("unknown_token", "This API token is not recognised.")
    if token.revoked_at is not None:
        raise TokenProblem(
            "revoked_token",
            f"This API token was revoked on {format_local(token.revoked_at)}. Create a new one.",
        )
    now = utcnow()
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenProblem(
            "expired_token",
            f"This API token expired on {format_local(token.expires_at)}. Create a new one.",
        )
    if not token.user.is_enabled:
        raise TokenProblem("account_closed", "The account this API token belongs to is closed.")
    token.last_used_at = now
    return token
