"""``flask backup PATH``: a consistent copy of the SQLite database while the app runs.

SQLite's online backup API copies page by page and starts again if a writer changes the
database meanwhile, so the copy is one moment's state even with web workers and the
scheduler writing. PostgreSQL is backed up with its own tools (pg_dump custom format or
base backups with WAL archiving): see docs/operations.md.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa


class BackupRefused(Exception):
    """The backup cannot be written as asked; the message says why."""


def backup_sqlite(database_url: str, target: Path, pages_per_step: int = 256) -> int:
    """Copy the database named by ``database_url`` to ``target`` (which must not exist);
    returns the copy's size in bytes."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(
            f"flask backup copies SQLite databases; this one is {url.get_backend_name()}. "
            "Use pg_dump --format=custom (see docs/operations.md)."
        )
    source_path = url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).exists():
        raise BackupRefused(f"No SQLite database file at {source_path!r}.")
    if target.exists():
        raise BackupRefused(f"{target} already exists; choose a new file name.")
    if not target.parent.is_dir():
        raise BackupRefused(f"The folder {target.parent} does not exist.")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy, pages=pages_per_step)
        (result,) = copy.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise BackupRefused(f"The copy failed its integrity check: {result}")
    except BaseException:
        copy.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    copy.close()
    partial.rename(target)  # only a whole, checked copy gets the name asked for
    return target.stat().st_size
