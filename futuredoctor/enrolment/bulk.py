"""Set-based statements for the bulk import, fast on both databases.

PostgreSQL gets one parameter per statement (``= ANY(:array)`` for look-ups and a JSON
document unpacked by ``json_to_recordset`` for inserts), so 10,000 rows cost one round
trip and one small statement instead of thousands of placeholders for the driver to parse. SQLite
gets chunked ``IN`` lists and SQLAlchemy's multi-row inserts, which it handles well.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from futuredoctor.extensions import db

CHUNK = 900  # under every SQLite build's limit on bound parameters


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def matching(column: Any, values: Sequence[Any]) -> list[sa.ColumnElement[bool]]:
    """Conditions that together select rows whose ``column`` is in ``values``: run one
    query per condition (one on PostgreSQL, one per chunk elsewhere)."""
    values = list(values)
    if not values:
        return []
    if _is_postgresql():
        array = sa.bindparam(None, values, type_=postgresql.ARRAY(column.type))
        return [column == sa.any_(array)]
    return [column.in_(chunk) for chunk in chunks(values)]


def insert(
    table: sa.Table,
    rows: list[dict[str, Any]],
    returning: Sequence[Any] = (),
    skip_conflicts_on: Sequence[str] = (),
) -> list[Any]:
    """Insert ``rows`` (all with the same keys); column defaults fill the other columns.
    Returns the ``returning`` columns of every new row (in no particular order). Rows
    clashing on the unique ``skip_conflicts_on`` columns are skipped, not an error."""
    if not rows:
        return []
    rows = _with_defaults(table, rows)
    dialect = postgresql if _is_postgresql() else sqlite
    stmt: Any = dialect.insert(table)
    if dialect is sqlite:
        if skip_conflicts_on:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(skip_conflicts_on))
        if returning:
            return list(db.session.execute(stmt.returning(*returning), rows))
        db.session.execute(stmt, rows)
        return []
    return _insert_from_json(table, rows, returning, skip_conflicts_on)


def _insert_from_json(
    table: sa.Table,
    rows: list[dict[str, Any]],
    returning: Sequence[Any],
    skip_conflicts_on: Sequence[str],
) -> list[Any]:
    """PostgreSQL: the rows travel as one JSON document and ``json_to_recordset`` turns
    them back into typed columns, so the driver handles one parameter, not thousands."""
    dialect = db.session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    names = list(rows[0])
    columns = ", ".join(quote(n) for n in names)
    typed = ", ".join(f"{quote(n)} {table.c[n].type.compile(dialect)}" for n in names)
    # Only quoted identifiers from the table's own metadata are formatted in; values are bound.
    sql = (
        f"INSERT INTO {quote(table.name)} ({columns}) SELECT {columns} "  # noqa: S608
        f"FROM json_to_recordset(CAST(:rows AS json)) AS incoming({typed})"
    )
    if skip_conflicts_on:
        sql += f" ON CONFLICT ({', '.join(quote(c) for c in skip_conflicts_on)}) DO NOTHING"
    document = json.dumps([{n: _plain(row[n]) for n in names} for row in rows])
    if not returning:
        db.session.execute(sa.text(sql), {"rows": document})
        return []
    sql += " RETURNING " + ", ".join(quote(c.name) for c in returning)
    stmt = sa.text(sql).columns(*returning)
    return list(db.session.execute(stmt, {"rows": document}))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware UTC instants")
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _with_defaults(table: sa.Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    given = set(rows[0])
    extra: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or column.primary_key or not isinstance(default, sa.ColumnDefault):
            continue
        if default.is_scalar:
            extra[column.name] = default.arg
        elif default.is_callable:
            extra[column.name] = default.arg(None)
    return [{**extra, **row} for row in rows] if extra else rows
