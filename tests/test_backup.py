"""Backups that restore: ``flask backup`` copies SQLite while the app writes; a PostgreSQL
custom-format dump, restored into a new database, is the same data at the migrations' head
and a participant can sign in on it."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from futuredoctor import create_app
from futuredoctor.backup import backup_sqlite
from futuredoctor.config import PROJECT_ROOT
from futuredoctor.extensions import db
from futuredoctor.models import AuditEvent, Role
from futuredoctor.scheduler import run_job
from tests.conftest import _admin_connection, make_test_config
from tests.factories import PASSWORD, current_cohorts, make_enrolment, make_user
from tests.helpers import login
from tests.pg import find_bindir

HEAD = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_current_head()


def _counts(engine: sa.Engine) -> dict[str, int]:
    names = sa.inspect(engine).get_table_names()
    with engine.connect() as conn:
        return {
            name: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
            for name in names
        }


def _sample(engine: sa.Engine, per_table: int = 5) -> dict[str, list[tuple[Any, ...]]]:
    """The first rows of each table in primary-key order."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    rows = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            query = sa.select(table).order_by(*order).limit(per_table)
            rows[table.name] = [tuple(row) for row in conn.execute(query)]
    return rows


def _fill_through_the_app(app: Flask) -> str:
    """Accounts, a sign-in, an admin's new user and queued notifications, all through the
    app; returns the participant's email."""
    participant = make_user(roles=[(Role.PARTICIPANT, None)], password=PASSWORD)
    make_enrolment(participant, current_cohorts()["lon-current"])
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)], password=PASSWORD)
    email = participant.email
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    response = client.post(
        "/admin/users/new",
        data={"email": "restored.person@example.nhs.uk", "given_name": "R", "family_name": "P"},
    )
    assert response.status_code < 400
    assert run_job(app, "queue_digests") is not None
    login(app.test_client(), participant)
    return email


def test_sqlite_backup_is_a_consistent_copy_while_the_app_writes(
    tmp_path: Path, sqlite_templates: Any
) -> None:
    source = tmp_path / "live.db"
    shutil.copyfile(sqlite_templates[True], source)
    app = create_app(make_test_config(f"sqlite:///{source}"))
    with app.app_context():
        email = _fill_through_the_app(app)
        db.session.remove()
    stop = threading.Event()

    def keep_writing() -> None:
        with app.app_context():
            while not stop.is_set():
                db.session.add(AuditEvent(action="test.write", details={}))
                db.session.commit()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        target = tmp_path / "copy.db"
        assert backup_sqlite(f"sqlite:///{source}", target, pages_per_step=1) > 0
    finally:
        stop.set()
        writer.join()
    copy = create_app(make_test_config(f"sqlite:///{target}"))
    with copy.app_context():
        with db.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == HEAD
            assert conn.scalar(sa.text("PRAGMA integrity_check")) == "ok"
        user = db.session.scalar(
            sa.text("SELECT count(*) FROM user_account WHERE email = :e"), {"e": email}
        )
        assert user == 1
        response = copy.test_client().post("/sign-in", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302
        db.engine.dispose()


def test_flask_backup_command(tmp_path: Path, sqlite_templates: Any) -> None:
    source = tmp_path / "live.db"
    shutil.copyfile(sqlite_templates[True], source)
    app = create_app(make_test_config(f"sqlite:///{source}"))
    runner = app.test_cli_runner()
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.exists() and "Backed up" in result.output
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code == 1 and "already exists" in again.output
    missing = runner.invoke(args=["backup", str(tmp_path / "no-such-folder" / "b.db")])
    assert missing.exit_code == 1 and "does not exist" in missing.output
    pg = create_app(make_test_config("postgresql+psycopg://x@localhost/none"))
    refused = pg.test_cli_runner().invoke(args=["backup", str(tmp_path / "pg.db")])
    assert refused.exit_code == 1 and "pg_dump" in refused.output


def _libpq(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.postgres
def test_postgresql_dump_restores_into_a_new_database(tmp_path: Path, pg_templates: str) -> None:
    bindir = find_bindir()
    if bindir is None or not (bindir / "pg_dump").exists():
        pytest.skip("pg_dump and pg_restore are not installed")
    from tests.conftest import pg_database

    with pg_database(pg_templates) as source_url:
        app = create_app(make_test_config(source_url))
        with app.app_context():
            email = _fill_through_the_app(app)
            db.session.remove()
            source_counts, source_rows = _counts(db.engine), _sample(db.engine)
            db.engine.dispose()
        dump = tmp_path / "futuredoctor.dump"
        subprocess.run(
            [str(bindir / "pg_dump"), "--format=custom", "--file", str(dump), _libpq(source_url)],
            check=True,
        )
    restored_name = f"futuredoctor_restored_{tmp_path.name[-8:].replace('-', '_')}"
    restored_url = f"{pg_templates}/{restored_name}"
    with _admin_connection(pg_templates) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {restored_name}")
        conn.execute(f"CREATE DATABASE {restored_name}")
    try:
        subprocess.run(
            [
                str(bindir / "pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                _libpq(restored_url),
                str(dump),
            ],
            check=True,
        )
        restored = create_app(make_test_config(restored_url))
        with restored.app_context():
            with db.engine.connect() as conn:
                assert MigrationContext.configure(conn).get_current_revision() == HEAD
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                assert compare_metadata(context, db.metadata) == []
            assert _counts(db.engine) == source_counts
            assert sum(source_counts.values()) > 0 and source_counts["audit_event"] > 0
            assert _sample(db.engine) == source_rows
            response = restored.test_client().post(
                "/sign-in", data={"email": email, "password": PASSWORD}
            )
            assert response.status_code == 302
            db.session.remove()
            db.engine.dispose()
    finally:
        with _admin_connection(pg_templates) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {restored_name} WITH (FORCE)")
