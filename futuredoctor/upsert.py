"""INSERT ... ON CONFLICT for the database in use: PostgreSQL and SQLite share the form,
and SQLAlchemy builds it per dialect. Rows several processes may create at once (a job's
last run, a watermark, a summary) are written this way, so the second writer does not fail
on the first one's key."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from futuredoctor.extensions import db


def insert(table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``table`` (a model or table) that can say what to do on conflict."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
