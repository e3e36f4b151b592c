"""Paging: a page and its count come from one statement, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload
from werkzeug.exceptions import NotFound

from futuredoctor.extensions import db
from futuredoctor.models import Role, User
from futuredoctor.paging import paginate
from tests.factories import make_user


def _people(count: int, **fields: Any) -> sa.Select[tuple[User]]:
    """``count`` people, in order; their role grants are left unloaded (one statement)."""
    for n in range(count):
        make_user(email=f"paged{n:03}@example.nhs.uk", family_name=f"Paged {n:03}", **fields)
    db.session.commit()
    return (
        sa.select(User)
        .where(User.email.like("paged%"))
        .order_by(User.email)
        .options(lazyload(User.grants))
    )


def test_a_page_and_its_count_are_one_statement(app: Any, count_queries: Any) -> None:
    stmt = _people(7)
    with count_queries() as statements:
        page = paginate(stmt, 2, per_page=3)
    assert len(statements) == 1
    assert [u.family_name for u in page.items] == ["Paged 003", "Paged 004", "Paged 005"]
    assert (page.total, page.pages, page.first_index, page.last_index) == (7, 3, 4, 6)
    last = paginate(stmt, 3, per_page=3)
    assert [u.family_name for u in last.items] == ["Paged 006"]


def test_a_page_past_the_end_is_not_found_and_an_empty_list_has_one_page(app: Any) -> None:
    stmt = _people(3)
    with pytest.raises(NotFound):
        paginate(stmt, 2, per_page=3)
    empty = paginate(stmt.where(User.email == "nobody@example.nhs.uk"), 1, per_page=3)
    assert (list(empty.items), empty.total, empty.pages, empty.first_index) == ([], 0, 1, 0)
    with pytest.raises(NotFound):
        paginate(stmt.where(User.email == "nobody@example.nhs.uk"), 2, per_page=3)


def test_counting_stops_at_the_bound_and_says_more(app: Any) -> None:
    stmt = _people(9)
    page = paginate(stmt, 1, per_page=2, count_up_to=4)
    assert (page.total, page.more) == (4, True)
    deeper = paginate(stmt, 4, per_page=2, count_up_to=4)  # counted just past the page asked
    assert (deeper.total, deeper.more) == (8, True)
    assert [u.family_name for u in deeper.items] == ["Paged 006", "Paged 007"]
    exact = paginate(stmt, 1, per_page=2, count_up_to=9)
    assert (exact.total, exact.more) == (9, False)


def test_a_known_total_is_not_counted_again(app: Any, count_queries: Any) -> None:
    stmt = _people(4)
    with count_queries() as statements:
        page = paginate(stmt, 2, per_page=3, total=4)
    assert len(statements) == 1 and "count(" not in statements[0].lower()
    assert [u.family_name for u in page.items] == ["Paged 003"]
    with pytest.raises(NotFound):
        paginate(stmt, 3, per_page=3, total=4)


def test_eager_loads_keep_one_item_per_row(app: Any) -> None:
    roles = [(Role.EVALUATOR, None), (Role.NATIONAL_ADMIN, None)]
    _people(5, roles=roles)
    stmt = (
        sa.select(User)
        .where(User.email.like("paged%"))
        .order_by(User.email)
        .options(joinedload(User.grants))  # two rows per person
    )
    page = paginate(stmt, 1, per_page=4)
    assert [u.family_name for u in page.items] == [f"Paged {n:03}" for n in range(4)]
    assert page.total == 5 and all(len(u.grants) == 2 for u in page.items)
