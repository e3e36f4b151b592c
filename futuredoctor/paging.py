"""Paging for long lists: a validated page number, and one statement for a page and its count."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort

from futuredoctor.extensions import db

PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    items: Sequence[Any]
    number: int
    per_page: int
    total: int
    # The total is a lower bound: counting stopped there (``paginate(count_up_to=...)``).
    more: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.per_page, self.total)


def page_number(raw: str | None) -> int:
    """The requested page: a positive whole number, or 404 (as for a page that is not there)."""
    if raw is None or raw == "":
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        abort(404)
    return int(raw)


def paginate(
    stmt: sa.Select[Any],
    number: int,
    per_page: int = PER_PAGE,
    total: int | None = None,
    count_up_to: int | None = None,
) -> Page:
    """Run ``stmt`` (ORDER BY included) for one page; 404 for a page past the last one.

    The rows are counted in the page's own statement (a sub-select PostgreSQL runs once,
    as the last column): one round trip instead of two, on every paged list. ``total``,
    when the caller already knows it (from a summary), saves counting every row.
    ``count_up_to`` stops counting a long list after that many rows (or just past the page
    asked for): the page then says "more than" instead of counting every row each time."""
    offset = (number - 1) * per_page
    if total is not None:
        if number > 1 and offset >= total:
            abort(404)
        items = db.session.scalars(stmt.limit(per_page).offset(offset)).unique().all()
        return Page(items=items, number=number, per_page=per_page, total=total)
    capped = _with_count(stmt, count_up_to is not None)
    return _counted_page(capped, {}, number, per_page, count_up_to)


def _with_count(stmt: sa.Select[Any], capped: bool) -> sa.Select[Any]:
    """``stmt`` with its rows counted as the last column (up to the bound ``count_bound``
    plus one when ``capped``), for a page of ``page_size`` rows from ``page_offset``."""
    counted = stmt.order_by(None)
    if capped:
        counted = counted.limit(sa.bindparam("count_bound"))
    count = (
        sa.select(sa.func.count()).select_from(counted.subquery()).correlate(None)
    ).scalar_subquery()
    return (
        stmt.add_columns(count)
        .limit(sa.bindparam("page_size"))
        .offset(sa.bindparam("page_offset"))
    )


# Paged statements built once per shape (``paginate_bound``): key -> statement.
_BUILT: dict[Hashable, sa.Select[Any]] = {}


def paginate_bound(
    key: Hashable,
    build: Callable[[], sa.Select[Any]],
    params: dict[str, Any],
    number: int,
    per_page: int = PER_PAGE,
    count_up_to: int | None = None,
) -> Page:
    """``paginate`` for a list whose statement ``build`` makes once per ``key`` (a shape:
    which filters it has), with its values bound from ``params``: a busy list is not built
    again, nor its cache key worked out, on every visit."""
    stmt = _BUILT.get((key, count_up_to is not None))
    if stmt is None:
        stmt = _BUILT[(key, count_up_to is not None)] = _with_count(
            build(), count_up_to is not None
        )
    return _counted_page(stmt, params, number, per_page, count_up_to)


def _counted_page(
    stmt: sa.Select[Any],
    params: dict[str, Any],
    number: int,
    per_page: int,
    count_up_to: int | None,
) -> Page:
    bound = None if count_up_to is None else max(count_up_to, number * per_page)
    values = {**params, "page_size": per_page, "page_offset": (number - 1) * per_page}
    if bound is not None:
        values["count_bound"] = bound + 1
    found = db.session.execute(stmt, values).unique().all()
    if not found:  # an empty list, or a page past its end
        if number > 1:
            abort(404)
        return Page(items=[], number=number, per_page=per_page, total=0)
    total = found[0][-1] or 0
    more = bound is not None and total > bound
    if more and bound is not None:
        total = bound
    return Page(
        items=[row[0] for row in found], number=number, per_page=per_page, total=total, more=more
    )


def pagination_params(page: Page, url_for_page: Callable[[int], str]) -> dict[str, Any] | None:
    """Parameters for the NHS.UK numbered pagination macro, or None for a single page."""
    if page.pages <= 1 and not page.more:
        return None
    wanted = {1, page.pages, page.number - 1, page.number, page.number + 1}
    items: list[dict[str, Any]] = []
    previous = 0
    for number in sorted(n for n in wanted if 1 <= n <= page.pages):
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append(
            {"number": number, "href": url_for_page(number), "current": number == page.number}
        )
        previous = number
    if page.more:
        items.append({"ellipsis": True})  # pages past the counted ones follow
    params: dict[str, Any] = {"items": items}
    if page.number > 1:
        params["previous"] = {"href": url_for_page(page.number - 1)}
    if page.number < page.pages or page.more:
        params["next"] = {"href": url_for_page(page.number + 1)}
    return params
