"""Shared fixtures. Every test that takes ``app`` runs on SQLite and on PostgreSQL.

Databases are built once per session from the real migrations and content, then copied
per test (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL), so no
test drops or recreates tables and each starts from the same known state.

``FUTUREDOCTOR_TEST_NOW=<ISO 8601 instant>`` runs the whole session as if it were that
instant (the clock still ticks from there); unset, the suite runs at the real now. Tests build
the dates they need relative to ``clock.now()``, never to the shipped content's dates.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flask_migrate
import psycopg
import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask, g
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from futuredoctor import clock, create_app
from futuredoctor.config import PROJECT_ROOT
from futuredoctor.extensions import db
from tests.pg import find_bindir, throwaway_cluster

# Property tests judge inputs, not speed: CI shares its machine, so Hypothesis's timing
# checks (slow input generation, per-example deadlines) would fail tests at random.
settings.register_profile(
    "shared-machine", suppress_health_check=[HealthCheck.too_slow], deadline=None
)
settings.load_profile("shared-machine")

TEMPLATES = {True: "futuredoctor_template", False: "futuredoctor_template_empty"}
TEST_NOW = "FUTUREDOCTOR_TEST_NOW"
_travel: time_machine.travel | None = None


def _test_now() -> datetime | None:
    """The instant ``FUTUREDOCTOR_TEST_NOW`` names (a time without an offset is UTC)."""
    raw = os.environ.get(TEST_NOW, "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as error:
        raise pytest.UsageError(
            f"{TEST_NOW}={raw!r} is not an ISO 8601 instant, e.g. 2027-03-01T12:00:00Z"
        ) from error
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# An app built in a test process never freezes the heap (``futuredoctor/heap.py``): the
# suite builds hundreds, and each freeze would keep the garbage of the tests before it.
# Set here, before any app, so apps built with a configuration of their own obey it too.
os.environ["FUTUREDOCTOR_GC_FREEZE"] = "0"


def pytest_configure(config: pytest.Config) -> None:
    """Travel the whole session (collection, fixtures, the browser tests' live server
    thread) to ``FUTUREDOCTOR_TEST_NOW``, ticking on from there."""
    global _travel
    instant = _test_now()
    if instant is not None and _travel is None:
        _travel = time_machine.travel(instant, tick=True)
        _travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None


def pytest_report_header(config: pytest.Config) -> str:
    instant = clock.now()
    uk = instant.astimezone(clock.UK)
    source = f"{TEST_NOW}={os.environ[TEST_NOW]}" if _travel else f"real clock, {TEST_NOW} unset"
    return f"test clock: {instant:%Y-%m-%dT%H:%M:%SZ} ({uk:%a %d %b %Y %H:%M %Z} UK; {source})"


# What no log line of the app may carry: the shared test password, a bearer token, an email.
_SECRET_IN_LOG = re.compile(r"correct-horse-battery|Bearer\s+\S|[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture(autouse=True)
def _logs_hold_no_personal_data(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test's captured app logs (sign-ins, uploads, exports, scheduler runs) are
    checked: no password, token or email address. The console mail backend, which
    prints whole emails in development on purpose, is the one logger left out."""
    yield
    for record in caplog.get_records("call"):
        if not record.name.startswith("futuredoctor") or record.name == "futuredoctor.mail":
            continue
        line = record.getMessage() + " " + str(record.__dict__.get("route", ""))
        found = _SECRET_IN_LOG.search(line)
        assert found is None, f"{record.name} logged {found.group(0)!r}"


@pytest.fixture
def frozen_now(time_machine: Any) -> datetime:
    """Stop the clock at the session's current instant for one test; returns it (aware UTC).
    Move it on with ``time_machine.shift(...)`` or ``time_machine.move_to(...)``."""
    instant = clock.now().replace(microsecond=0)
    time_machine.move_to(instant, tick=False)
    return instant


def make_test_config(database_url: str, **extra: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "STRICT_TEMPLATES": True,  # a template naming a variable it was not given fails
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "refuse",  # a forgotten real send fails loudly
        "SUMMARY_MAX_AGE_SECONDS": 0,  # summaries counted on every read unless a test says
        "CONTENT_DIR": str(PROJECT_ROOT / "modules_content"),
        "REGIONS_DIR": str(PROJECT_ROOT / "regions"),
    }
    config.update(extra)
    return config


def build_database(database_url: str, content: bool = True) -> None:
    """Apply the migrations and (unless ``content`` is false) load the shipped content."""
    from futuredoctor.content import sync_content

    app = create_app(make_test_config(database_url))
    with app.app_context():
        flask_migrate.upgrade()
        if content:
            sync_content(
                db.session, Path(app.config["CONTENT_DIR"]), Path(app.config["REGIONS_DIR"])
            )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Forget what a request keeps on ``g`` (the user, the header's unread count) between
    requests: tests share one app context, where a server gives each request its own."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        g.pop("_login_user", None)
        g.pop("unread_count", None)
        g.pop("user_session", None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    folder = tmp_path_factory.mktemp("templates")
    paths = {}
    for content, name in TEMPLATES.items():
        paths[content] = folder / f"{name}.db"
        build_database(f"sqlite:///{paths[content]}", content)
    return paths


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    url = os.environ.get("FUTUREDOCTOR_TEST_DATABASE_URL")
    if url:
        yield url.rsplit("/", 1)[0] if url.count("/") > 2 else url
        return
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL tests skipped: no PostgreSQL server binaries (initdb, pg_ctl) found and "
            "FUTUREDOCTOR_TEST_DATABASE_URL is not set"
        )
    with throwaway_cluster(bindir) as server:
        yield server


def _admin_connection(server: str) -> psycopg.Connection[Any]:
    url = sa.make_url(f"{server}/postgres")
    return psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture(scope="session")
def pg_templates(pg_server: str) -> str:
    for content, name in TEMPLATES.items():
        with _admin_connection(pg_server) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        build_database(f"{pg_server}/{name}", content)
    return pg_server


_numbers = itertools.count(1)


@contextmanager
def pg_database(server: str, content: bool = True) -> Iterator[str]:
    name = f"futuredoctor_test_{os.getpid()}_{next(_numbers)}"
    with _admin_connection(server) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATES[content]}")
    try:
        yield f"{server}/{name}"
    finally:
        with _admin_connection(server) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _fresh_database(request: pytest.FixtureRequest, tmp_path: Path, content: bool) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_templates")[content], path)
        yield f"sqlite:///{path}"
    else:
        with pg_database(request.getfixturevalue("pg_templates"), content) as url:
            yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database holding the shipped content (regions, modules, GPC)."""
    yield from _fresh_database(request, tmp_path, content=True)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database with no rows at all."""
    yield from _fresh_database(request, tmp_path, content=False)


@pytest.fixture
def empty_db_session(empty_database_url: str) -> Iterator[Any]:
    app = create_app(make_test_config(empty_database_url))
    with app.app_context():
        yield db.session
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(make_test_config(database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def db_session(app: Flask) -> Any:
    return db.session


@pytest.fixture
def count_queries(app: Flask) -> Any:
    """``with count_queries() as statements: ...`` records every SQL statement run."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)

    return counting
