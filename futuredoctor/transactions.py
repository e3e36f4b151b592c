"""How each request's database transaction ends: the one door for commits.

A request that succeeded (status below 400) is committed here, once; one that was refused
(4xx), failed (5xx) or raised is rolled back, so nothing a refused service flushed is kept.
Views and services never commit or roll back themselves.


A request that only read ends with COMMIT instead of the ROLLBACK Flask-SQLAlchemy issues
when it removes the session. For a transaction that wrote nothing the two are the same, but
psycopg forgets every server-side prepared statement on ROLLBACK, so ending reads that way
made PostgreSQL plan each query of each page afresh (most of a query's cost on the
dashboard). Anything that may have written (an ORM flush, or any statement other than a
plain SELECT) still ends with ROLLBACK unless the view committed, as before.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, g

from futuredoctor.extensions import db

WROTE = "futuredoctor_wrote"


def init_transactions(app: Flask) -> None:
    """Call after ``db.init_app``: teardown functions run last-registered first, so this
    one runs before Flask-SQLAlchemy removes the session."""
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        sa.event.listen(engine, "begin", _begin)
        sa.event.listen(engine, "before_cursor_execute", _before_execute)

    @app.after_request
    def _commit_or_roll_back(response: Response) -> Response:
        end_request(response.status_code)
        return response

    @app.teardown_request
    def _roll_back_failed(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()

    @app.teardown_appcontext
    def _end_read_only(exc: BaseException | None) -> None:
        end_read_only(exc)


def _begin(conn: sa.Connection) -> None:
    conn.info[WROTE] = False


def _before_execute(
    conn: sa.Connection, cursor: Any, statement: str, params: Any, context: Any, many: bool
) -> None:
    dml = context is not None and (context.isinsert or context.isupdate or context.isdelete)
    if dml or statement.lstrip()[:6].upper() != "SELECT":
        conn.info[WROTE] = True


def end_read_only(exc: BaseException | None = None) -> bool:
    """Commit the request's transaction if it only read; True if it did."""
    session = db.session()
    if exc is not None or not session.in_transaction():
        return False
    if session.new or session.dirty or session.deleted:
        return False
    if session.connection().info.get(WROTE, True):
        return False
    # Keep loaded objects as they are, as closing the session would: a streamed response
    # may still read them after this teardown (the evaluation export does).
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    return True


KEEP = "futuredoctor_keep_refused"


def keep_when_refused() -> None:
    """Commit this request even though it answers with a refusal (4xx).

    For the few records a refusal itself creates and must keep: a failed sign-in's count
    and audit event, a rate-limited attempt. Everything else a refused request flushed is
    kept too, so call this only where the refusal has written nothing else.
    """
    g.setdefault(KEEP, True)


def end_request(status: int) -> None:
    """Commit a request that succeeded; roll back one that was refused or failed."""
    session = db.session()
    keep = g.pop(KEEP, False)
    if status >= 400 and not (status < 500 and keep):
        session.rollback()
        return
    if not session.in_transaction() and not (session.new or session.dirty or session.deleted):
        return
    # Keep loaded objects readable: a streamed response may still read them afterwards.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
