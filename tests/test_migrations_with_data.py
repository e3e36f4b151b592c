"""Every migration, down and up again, on PostgreSQL holding the benchmark's small data set
(3,000 participants, 75,000 progress rows, 30,000 feedback items).

A migration that only ever met an empty database can still fail in production: a NOT NULL
column added without a default, a unique index over duplicate rows, a type change that
cannot cast a real value, a downgrade that cannot undo its upgrade. This walks the whole
chain one revision at a time, from head down to the first and back, on real-shaped data,
and checks that the rows the first revision's tables hold come through the round trip.
"""

from __future__ import annotations

import time

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from benchmarks.generate import Scale, generate
from futuredoctor import create_app
from futuredoctor.extensions import db
from tests.conftest import make_test_config, pg_database

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# Tables of the first revision whose rows every later migration must keep.
KEPT = (
    "user_account",
    "region",
    "pilot",
    "cohort",
    "enrolment",
    "module_version",
    "release",
    "progress",
    "feedback_item",
)


def _counts(connection: sa.Connection) -> dict[str, int]:
    return {t: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(t))) for t in KEPT}


def test_every_migration_goes_down_and_up_on_the_small_benchmark_data(pg_templates: str) -> None:
    with pg_database(pg_templates) as url:
        dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(False)
        sizes = generate(dsn, Scale.small())
        assert sizes["participants"] == Scale.small().participants
        app = create_app(make_test_config(url))
        with app.app_context():
            migrations = flask_migrate.Migrate(app, db).get_config()
            script = ScriptDirectory.from_config(migrations)
            chain = [rev.revision for rev in script.walk_revisions()]  # head first
            with db.engine.connect() as connection:
                before = _counts(connection)
            timings: list[str] = []
            for revision in chain[:-1]:  # down one at a time, to the first revision
                started = time.perf_counter()
                flask_migrate.downgrade(revision="-1")
                timings.append(f"down {revision} {time.perf_counter() - started:.2f}s")
            for revision in reversed(chain[:-1]):  # and up again, one at a time
                started = time.perf_counter()
                flask_migrate.upgrade(revision="+1")
                timings.append(f"up {revision} {time.perf_counter() - started:.2f}s")
            with db.engine.connect() as connection:
                current = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
                after = _counts(connection)
            db.engine.dispose()
        print(sizes, "; ".join(timings))
        assert current == chain[0]
        assert after == before
        assert before["progress"] > 10_000
