"""One plan kept for any values, inside ``one_plan_for_any_values`` only (PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from futuredoctor.query_plans import one_plan_for_any_values

_MODE = sa.text("SHOW plan_cache_mode")


def _postgresql(db_session: Any) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("plan caching is PostgreSQL's")


def test_the_setting_holds_inside_and_is_put_back(db_session: Any) -> None:
    _postgresql(db_session)
    with one_plan_for_any_values():
        assert db_session.scalar(_MODE) == "force_generic_plan"
    assert db_session.scalar(_MODE) == "force_custom_plan"
    with one_plan_for_any_values(for_the_rest=True):
        pass
    assert db_session.scalar(_MODE) == "force_generic_plan"  # until the transaction ends
    db_session.commit()
    assert db_session.scalar(_MODE) == "force_custom_plan"


def test_a_block_that_raises_leaves_the_setting_to_its_transaction(db_session: Any) -> None:
    _postgresql(db_session)
    with pytest.raises(ValueError), one_plan_for_any_values():
        raise ValueError
    db_session.rollback()
    assert db_session.scalar(_MODE) == "force_custom_plan"


def test_elsewhere_it_runs_nothing(db_session: Any, count_queries: Any) -> None:
    if db_session.get_bind().dialect.name == "postgresql":
        pytest.skip("SQLite has no plan cache to set")
    with count_queries() as statements, one_plan_for_any_values():
        pass
    assert statements == []
