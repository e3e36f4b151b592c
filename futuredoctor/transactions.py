"""How each request's database transaction ends: the one door for commits.

A request that succeeded (status below 400) is committed here, once, in ``after_request``;
one that was refused (4xx), failed (5xx) or raised is rolled back, so nothing a refused
service flushed is kept. Views and services never commit or roll back themselves: services
change objects and ``flush()`` (so a constraint conflict surfaces inside the view, where it
can become a ``Refusal``), and raise ``Refusal`` when a request cannot be done.

Refinements:

- ``keep_when_refused()`` commits a refused request too, for writes that record the
  attempt itself (a failed sign-in, an API token's use) rather than the refused change.
- A GET or HEAD request that only read ends with COMMIT even when its answer is an error
  (and so does the read-only transaction a streamed body opens after ``after_request``).
  For a transaction that wrote nothing COMMIT and ROLLBACK are the same, but psycopg
  forgets every server-side prepared statement on ROLLBACK, so ending reads that way made
  PostgreSQL plan each query of each page afresh. Anything that may have written (an ORM
  flush, any statement other than a plain SELECT, or a raw DBAPI cursor that called
  ``mark_written()``) and any other method still ends with ROLLBACK.
- A streamed body runs after the request's commit. Work it must keep (the evaluation
  export record, written as the last bytes go) ends with ``commit_streamed()``.

- ``savepoint()`` and ``retry_on_conflict()`` keep a unique-constraint race (a double
  submit) inside the view, where it is retried or refused, instead of failing the commit.

Code outside requests (CLI commands, the scheduler, demo data) commits its own work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, Response, request
from sqlalchemy.exc import IntegrityError

from futuredoctor.extensions import db
from futuredoctor.refusals import Refusal

WROTE = "futuredoctor_wrote"
DOOR = "futuredoctor.door"  # in the WSGI environ: this request is one the door ends
KEEP = "futuredoctor.keep_when_refused"
READ_METHODS = frozenset({"GET", "HEAD"})
T = TypeVar("T")


def init_transactions(app: Flask) -> None:
    """Call after ``db.init_app``. Every hook is per request (never per app context: tests
    keep one app context open across many requests)."""
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        sa.event.listen(engine, "begin", _begin)
        sa.event.listen(engine, "before_cursor_execute", _before_execute)

    @app.before_request
    def _open_door() -> None:
        # Only dispatched requests: a ``test_request_context`` opened to build a URL
        # inside a service must not end the transaction around it.
        request.environ[DOOR] = True

    @app.after_request
    def _commit_or_roll_back(response: Response) -> Response:
        status = response.status_code
        if status < 500 and request.environ.get(KEEP):
            status = 200  # the refusal's own record (a failed sign-in) is kept
        end_request(status, request.method, streamed=response.is_streamed)
        return response

    @app.teardown_request
    def _end_leftover(exc: BaseException | None) -> None:
        """Runs after a streamed body has been sent: end what it (or a failure) left open."""
        if not request.environ.get(DOOR):
            return
        if exc is not None or not end_read_only(request.method):
            db.session.rollback()


def _begin(conn: sa.Connection) -> None:
    conn.info[WROTE] = False


def _before_execute(
    conn: sa.Connection, cursor: Any, statement: str, params: Any, context: Any, many: bool
) -> None:
    dml = context is not None and (context.isinsert or context.isupdate or context.isdelete)
    if dml or statement.lstrip()[:6].upper() not in ("SELECT", "BEGIN"):
        conn.info[WROTE] = True


def keep_when_refused() -> None:
    """Commit this request even if it answers with a 4xx: for what records the attempt
    itself (a failed sign-in's count and audit event, an API token's last use), which
    must survive the refusal. Never for a refused change."""
    request.environ[KEEP] = True


def mark_written() -> None:
    """Say the current transaction wrote: for code that writes through a raw DBAPI cursor,
    which SQLAlchemy's events never see, so the read-only COMMIT never applies to it."""
    db.session.connection().info[WROTE] = True


def _wrote(session: Any) -> bool:
    if session.new or session.dirty or session.deleted:
        return True
    return bool(session.connection().info.get(WROTE, True))


def end_read_only(method: str, streamed: bool = True) -> bool:
    """Commit a GET/HEAD request's transaction if it only read; True if nothing is left open."""
    session = db.session()
    if not session.in_transaction():
        return True
    if method not in READ_METHODS or _wrote(session):
        return False
    _commit(session, streamed)
    return True


def end_request(status: int, method: str = "POST", streamed: bool = False) -> None:
    """Commit a request that succeeded; roll back one that was refused or failed."""
    session = db.session()
    if status >= 400:
        if not end_read_only(method, streamed):
            session.rollback()
        return
    if not session.in_transaction() and not (session.new or session.dirty or session.deleted):
        return
    _commit(session, streamed)


def commit_streamed() -> None:
    """Commit what a streamed body wrote after the request's own commit (the export
    record); on failure roll back and raise, so the body stops short."""
    _commit(db.session(), streamed=True)


def _commit(session: Any, streamed: bool) -> None:
    # A streamed body may still read loaded objects after the commit: keep them as they
    # are (as closing the session would). Otherwise expire them, as a commit does.
    expire = session.expire_on_commit
    session.expire_on_commit = expire and not streamed
    try:
        session.commit()
    except BaseException:
        session.rollback()  # nothing half-written; the error page follows
        raise
    finally:
        session.expire_on_commit = expire


@contextmanager
def savepoint() -> Iterator[None]:
    """Run a block in a SAVEPOINT: if it fails, only the block is undone and the session
    stays usable (to re-render the form). On SQLite the request's transaction is opened
    first: pysqlite opens one only before DML, and a SAVEPOINT outside a transaction would
    commit on release."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN")
    with db.session.begin_nested():
        yield


def retry_on_conflict(action: Callable[[], T], conflict: Refusal | None = None) -> T:
    """Run ``action`` in a savepoint; if a concurrent request won a race on a unique
    constraint, run it once more (it now sees the other request's row and refuses or
    changes nothing). A second conflict is refused with ``conflict`` when given."""
    try:
        with savepoint():
            return action()
    except IntegrityError:
        pass
    try:
        with savepoint():
            return action()
    except IntegrityError:
        if conflict is None:
            raise
        raise conflict from None
