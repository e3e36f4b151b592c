"""The names free text is checked against, each with the name-list version that added it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from futuredoctor.models.base import Base, utcnow


class RedactionName(Base):
    """One folded given or family name (or part of one) of an account, past or present.

    Rows are only ever added: a name stays redacted after its account is renamed or closed.
    Each batch of new names gets the next version number, so stored redactions stamped with
    an older version are known to be stale and only text containing the new names needs
    redacting again.
    """

    __tablename__ = "redaction_name"
    __table_args__ = (sa.UniqueConstraint("kind", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(6))  # "given" or "family"
    part: Mapped[str] = mapped_column(sa.String(100))
    version: Mapped[int] = mapped_column(index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
