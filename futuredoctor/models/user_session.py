"""Signed-in sessions, kept on the server so that signing out really ends one.

The browser's signed cookie only carries a random token; the row it points to says whether
the session is still open. Signing out, "sign out everywhere", a password change or reset
and the idle and absolute lifetimes all end rows, so a copied or replayed cookie stops
working at once.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from futuredoctor.models.base import Base, utcnow


class UserSession(Base):
    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the token in the cookie: a copy of this table opens no session.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the person last typed their password in this session (sensitive actions ask
    # again once this is older than RECENT_SIGN_IN_MINUTES).
    authenticated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(sa.String(32))
