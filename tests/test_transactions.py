"""A request that only read ends with COMMIT (keeping PostgreSQL's prepared statements);
one that wrote without committing, or failed, still ends with ROLLBACK."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from futuredoctor import create_app
from futuredoctor.extensions import db
from futuredoctor.models import Region
from futuredoctor.permissions import public
from tests.conftest import make_test_config


@pytest.fixture
def own_app(database_url: str) -> Iterator[Flask]:
    """An app whose requests each get their own app context (the shared ``app`` fixture
    keeps one open for the whole test, so its teardown never runs between requests)."""
    app = create_app(make_test_config(database_url))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(own_app: Flask) -> Any:
    return own_app.test_client()


@pytest.fixture
def ends(own_app: Flask) -> list[str]:
    """How each transaction ended, in order."""
    app = own_app
    seen: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "commit", lambda conn: seen.append("commit"))
        sa.event.listen(db.engine, "rollback", lambda conn: seen.append("rollback"))

    @app.route("/_t/read")
    @public
    def read() -> str:
        return str(db.session.scalar(sa.select(sa.func.count()).select_from(Region)))

    @app.route("/_t/flush")
    @public
    def flush() -> str:
        db.session.add(Region(code="ZZ", name="Left unsaved"))
        db.session.flush()
        return "flushed"

    @app.route("/_t/core-insert")
    @public
    def core_insert() -> str:
        db.session.execute(sa.insert(Region).values(code="ZY", name="Also unsaved"))
        return "inserted"

    @app.route("/_t/stream")
    @public
    def stream() -> Any:
        region = db.session.scalars(sa.select(Region).order_by(Region.code)).first()

        def chunks() -> Iterator[str]:
            yield "first "
            yield region.code  # read after the request's teardown has ended the transaction

        return app.response_class(chunks())

    @app.route("/_t/fail")
    @public
    def fail() -> Any:
        db.session.scalar(sa.select(sa.func.count()).select_from(Region))
        raise RuntimeError("boom")

    return seen


def _codes(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(sa.select(Region.code)))


def test_a_read_only_request_ends_with_commit(client: Any, ends: list[str]) -> None:
    assert client.get("/_t/read").status_code == 200
    assert ends == ["commit"]


@pytest.mark.parametrize("path", ["/_t/flush", "/_t/core-insert"])
def test_uncommitted_writes_are_still_rolled_back(
    own_app: Flask, client: Any, ends: list[str], path: str
) -> None:
    assert client.get(path).status_code == 200
    assert ends == ["rollback"]
    assert not {"ZZ", "ZY"} & _codes(own_app)


def test_objects_read_by_a_streamed_response_survive_the_commit(
    client: Any, ends: list[str]
) -> None:
    response = client.get("/_t/stream")
    assert response.get_data(as_text=True).startswith("first ")
    assert len(response.get_data(as_text=True)) > len("first ")
    assert ends == ["commit"]


def test_a_failed_request_is_rolled_back(own_app: Flask, client: Any, ends: list[str]) -> None:
    own_app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/_t/fail").status_code == 500
    assert "commit" not in ends
