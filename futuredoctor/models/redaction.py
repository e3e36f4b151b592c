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


class RedactionWatermark(Base):
    """How far every row of one free-text table has been checked against the name list.

    ``names_version`` N under ``rules_version`` R means: every row of ``table_name`` whose
    stored redaction was made under rules R is what redacting it with the names up to
    version N gives, whatever version its own stamp names. So a new account only costs the
    rows whose text mentions one of its names, not a rewrite of every row's stamp.
    """

    __tablename__ = "redaction_watermark"

    table_name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    rules_version: Mapped[int]
    names_version: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
