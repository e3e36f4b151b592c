"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from futuredoctor.extensions import db


# SQLite cannot reflect expression indexes (the grant scope index); PostgreSQL checks them.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_models_and_migrations_agree(app: Flask) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
        indexes = {i["name"] for i in sa.inspect(connection).get_indexes("role_grant")}
    if db.engine.dialect.name == "sqlite":
        # The grant scope index cannot be reflected; the network's search index and the
        # disabled accounts' index are built on PostgreSQL only (``ddl_if``), which the
        # comparison does not know.
        skipped = {
            "uq_role_grant_user_role_scope",
            "ix_network_post_search_vector",
            "ix_user_account_disabled",
            "ix_champion_profile_search_text",
        }
        differences = [
            d for d in differences if not (d[0] == "add_index" and d[1].name in skipped)
        ]
        with db.engine.connect() as connection:
            sql = connection.scalar(
                sa.text(
                    "SELECT sql FROM sqlite_master WHERE name = 'uq_role_grant_user_role_scope'"
                )
            )
        assert "coalesce(region_id, 0)" in sql
    else:
        assert "uq_role_grant_user_role_scope" in indexes
    assert differences == []


def test_constraint_names_follow_the_convention(app: Flask) -> None:
    names = [
        c.name
        for table in db.metadata.tables.values()
        for c in table.constraints
        if c.name is not None
    ]
    assert "uq_release_module_version_id_cohort_id" in names
    assert "ck_feedback_item_relevance_range" in names
    assert all(not name.startswith("None") for name in names)


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_downgrade_to_nothing_and_back(empty_database_url: str) -> None:
    import flask_migrate

    from futuredoctor import create_app
    from tests.conftest import make_test_config

    app = create_app(make_test_config(empty_database_url))
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        flask_migrate.upgrade()
        assert "release" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
