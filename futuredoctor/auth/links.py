"""Signed, expiring, single-use links that let a person set their password: a reset they
asked for, or the invitation that opens a new staff account.

A link carries the account id and a fingerprint of what it may change (the password hash,
the session version and when the invitation was sent). Setting a password, any other
password change, signing out everywhere or sending a fresh invitation changes the
fingerprint, so every older link stops working without a table of used links.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from futuredoctor.extensions import db
from futuredoctor.models import User


class Purpose(enum.StrEnum):
    RESET = "password-reset"
    INVITATION = "staff-invitation"


class LinkState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"  # the password (or the invitation) changed since the link was made
    INVALID = "invalid"


@dataclass(frozen=True)
class Link:
    state: LinkState
    user: User | None = None


def lifetime(purpose: Purpose) -> timedelta:
    config = current_app.config
    if purpose is Purpose.RESET:
        return timedelta(minutes=config["PASSWORD_RESET_MINUTES"])
    return timedelta(days=config["STAFF_INVITATION_DAYS"])


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose.value)


def _fingerprint(user: User) -> str:
    invited = user.invited_at.isoformat() if user.invited_at else ""
    material = f"{user.password_hash or ''}|{user.session_version}|{invited}"
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def make_token(user: User, purpose: Purpose) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def url_for_token(token: str, purpose: Purpose) -> str:
    """The absolute link for an email: built from PUBLIC_URL, never from the request."""
    endpoint = "auth.reset" if purpose is Purpose.RESET else "auth.accept_staff_invitation"
    path = url_for(endpoint, token=token)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def resolve(token: str, purpose: Purpose) -> Link:
    if len(token) > 1000:
        return Link(LinkState.INVALID)
    serializer = _serializer(purpose)
    max_age = int(lifetime(purpose).total_seconds())
    try:
        data: Any = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        return Link(LinkState.EXPIRED)
    except BadSignature:
        return Link(LinkState.INVALID)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return Link(LinkState.INVALID)
    if not 0 < data["u"] < 2**31:
        return Link(LinkState.INVALID)
    user = db.session.get(User, data["u"])
    if user is None or not user.is_enabled:
        return Link(LinkState.INVALID)
    if data.get("f") != _fingerprint(user):
        return Link(LinkState.USED, user)
    return Link(LinkState.VALID, user)
