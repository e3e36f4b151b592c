"""A stand-in ``db_session`` for the content tests: an empty in-memory SQLite database.

tests/conftest.py will provide the project-wide fixture; this one keeps the content tests
runnable on their own and can be deleted once that exists.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from futuredoctor.models import Base


@pytest.fixture
def db_session() -> Iterator[Session]:
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()
