"""A second, informative baseline: a bare Flask page that reads 50 rows from the same
PostgreSQL database (one query, no ORM, no session) and renders them as a table."""

from __future__ import annotations

import os

import psycopg
import sqlalchemy as sa
from flask import Flask, g

from benchmarks.baseline_app import SOURCE

app = Flask(__name__)
PAGE = app.jinja_env.from_string(SOURCE)
DSN = sa.make_url(os.environ["FUTUREDOCTOR_DATABASE_URL"]).set(drivername="postgresql")
_connection: psycopg.Connection | None = None


def _db() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(DSN.render_as_string(False), autocommit=True)
    return _connection


@app.route("/")
def table() -> str:
    rows = _db().execute(
        "SELECT id AS n, title, CASE WHEN number > 1 THEN 'Updated' ELSE 'New' END AS status"
        " FROM module_version ORDER BY id LIMIT 50"
    ).fetchall()
    g.rows = [{"n": n, "title": title, "status": status} for n, title, status in rows]
    return PAGE.render(rows=g.rows)
