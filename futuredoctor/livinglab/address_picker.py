"""The editor's picker of open feedback a new version may address.

A module can gather thousands of open items (5,713 at national size), so the picker never
counts or sorts them all:

- a page is found by keyset, from the item it starts after (or before, going back), one
  branch per version of the module (and per pilot of the person's, for a lead educator)
  reading ``ix_feedback_item_open_version_created`` (or ``..._pilot_created``: open items
  by version and pilot, oldest first) and stopping after a page; the branches are merged
  by (received, number);
- the count stops at ``COUNT_CAP`` ("more than 1,000");
- items are read as the few columns the picker shows, not as whole items with their
  enrolment, cohort, pilot and region.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from futuredoctor import like
from futuredoctor.content.choices import content_choices
from futuredoctor.extensions import db
from futuredoctor.livinglab.scope import TRIAGE, scoped_items
from futuredoctor.livinglab.workflow import OPEN_STATUSES
from futuredoctor.models import (
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    Module,
    ModuleVersion,
    User,
)
from futuredoctor.permissions import pilot_id_list

PICKER_PAGE = 25  # open items shown at a time
COUNT_CAP = 1000  # counted up to this; past it the picker says "more than 1,000"
MAX_FIND = 200
SHOWN_TEXT = 300  # characters of an item's text read (the picker shows about 140)

# Where a page starts: (how, item number). "from" shows the page starting at the item
# (the same page again), "after" the page after it, "before" the page before it.
Cursor = tuple[str, int]
HOWS = ("from", "after", "before")


@dataclass(frozen=True)
class PickerItem:
    id: int
    source: FeedbackSource
    notify_on_action: bool
    status: FeedbackStatus
    created_at: datetime
    text: str | None
    version_number: int


@dataclass(frozen=True)
class Picker:
    """One page of the open feedback a new version may address, and the items already
    ticked on other pages (kept so that searching and paging never drop a choice)."""

    items: list[PickerItem]
    ticked_elsewhere: list[PickerItem]
    number: int  # the page's position, for "Showing 26 to 50"
    total: int  # counted up to COUNT_CAP + 1
    find: str
    has_previous: bool
    has_next: bool

    @property
    def more_than_cap(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def first_index(self) -> int:
        return (self.number - 1) * PICKER_PAGE + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * PICKER_PAGE + len(self.items)

    @property
    def first_id(self) -> int | None:
        return self.items[0].id if self.items else None

    @property
    def last_id(self) -> int | None:
        return self.items[-1].id if self.items else None


def open_items(user: User, module: Module) -> sa.Select[Any]:
    """Open feedback about ``module`` that ``user`` may triage."""
    return (
        scoped_items(user)
        .join(ModuleVersion, ModuleVersion.id == FeedbackItem.module_version_id)
        .where(ModuleVersion.module_id == module.id, FeedbackItem.status.in_(OPEN_STATUSES))
    )


def matching(stmt: sa.Select[Any], find: str) -> sa.Select[Any]:
    """Items whose number is ``find`` or whose text contains it (any case)."""
    pattern, number = _search(find)
    if pattern is None:
        return stmt
    found: sa.ColumnElement[bool] = FeedbackItem.text.ilike(pattern, escape=like.ESCAPE)
    if number is not None:
        found = sa.or_(found, FeedbackItem.id == number)
    return stmt.where(found)


def _search(find: str) -> tuple[str | None, int | None]:
    """The pattern of ``matching`` for ``find`` and the item number it names (None when
    it is not searched by)."""
    if not find:
        return None, None
    number = find.removeprefix("Feedback ").strip()
    digits = number.isascii() and number.isdigit() and len(number) < 10
    return like.contains(find), int(number) if digits else None


# The columns the picker shows, in ``PickerItem``'s order.
_SHOWN = (
    FeedbackItem.id,
    FeedbackItem.source,
    FeedbackItem.notify_on_action,
    FeedbackItem.status,
    FeedbackItem.created_at,
    sa.func.substr(FeedbackItem.text, 1, SHOWN_TEXT),
    ModuleVersion.number,
)


def _columns(stmt: sa.Select[Any]) -> list[PickerItem]:
    rows = db.session.execute(
        stmt.with_only_columns(*_SHOWN).order_by(FeedbackItem.created_at, FeedbackItem.id)
    )
    return [PickerItem(*row) for row in rows]


# A page's statement is built once per shape (how many branches, whether they are per
# pilot, what the search is, how the cursor is followed) with its values as bound
# parameters: building it afresh, and working out its cache key, cost more than running it.
_Shape = tuple[int, bool, bool, bool, str | None]


def _branch(index: int, shape: _Shape) -> sa.Select[Any]:
    """Open items of one version (and pilot) matching the search, as (number, received):
    one range of an open-items index."""
    _, per_pilot, text, number, _ = shape
    stmt = sa.select(FeedbackItem.id, FeedbackItem.created_at).where(
        FeedbackItem.module_version_id == sa.bindparam(f"version_{index}"),
        FeedbackItem.status.in_(OPEN_STATUSES),
    )
    if per_pilot:
        stmt = stmt.where(FeedbackItem.scope_pilot_id == sa.bindparam(f"pilot_{index}"))
    if text:
        found: sa.ColumnElement[bool] = FeedbackItem.text.ilike(
            sa.bindparam("pattern"), escape=like.ESCAPE
        )
        if number:
            found = sa.or_(found, FeedbackItem.id == sa.bindparam("number"))
        stmt = stmt.where(found)
    return stmt


def _count(shape: _Shape) -> sa.ScalarSelect[int]:
    """The items of every branch counted up to ``COUNT_CAP + 1``, as a sub-select run once:
    without a search, from the open-items indexes alone, reading no item."""
    ids = [_branch(i, shape).with_only_columns(FeedbackItem.id) for i in range(shape[0])]
    union = sa.union_all(*ids).subquery() if len(ids) > 1 else ids[0].subquery()
    limited = sa.select(union.c.id).limit(COUNT_CAP + 1).subquery()
    return sa.select(sa.func.count()).select_from(limited).correlate(None).scalar_subquery()


@functools.lru_cache(maxsize=256)
def _count_statement(shape: _Shape) -> sa.Select[Any]:
    return sa.select(_count(shape))


@functools.lru_cache(maxsize=256)
def _page_statement(shape: _Shape) -> sa.Select[Any]:
    """Up to a page and one more items from the branches merged, with the columns shown
    and the count: one statement."""
    how = shape[4]
    backwards = how == "before"
    at: sa.BindParameter[Any] = sa.bindparam("cursor_at")
    number: sa.BindParameter[Any] = sa.bindparam("cursor_number")
    branches = []
    for index in range(shape[0]):
        stmt = _branch(index, shape)
        if how is not None:
            if backwards:
                later = sa.or_(
                    FeedbackItem.created_at < at,
                    sa.and_(FeedbackItem.created_at == at, FeedbackItem.id < number),
                )
            else:
                later = sa.or_(
                    FeedbackItem.created_at > at,
                    sa.and_(
                        FeedbackItem.created_at == at,
                        FeedbackItem.id >= number if how == "from" else FeedbackItem.id > number,
                    ),
                )
            stmt = stmt.where(later)
        order = (
            (FeedbackItem.created_at.desc(), FeedbackItem.id.desc())
            if backwards
            else (FeedbackItem.created_at, FeedbackItem.id)
        )
        branches.append(stmt.order_by(*order).limit(PICKER_PAGE + 1).subquery().select())
    merged = sa.union_all(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    merged_order = (
        (merged.c.created_at.desc(), merged.c.id.desc())
        if backwards
        else (merged.c.created_at, merged.c.id)
    )
    page = (
        sa.select(merged.c.id, merged.c.created_at)
        .order_by(*merged_order)
        .limit(PICKER_PAGE + 1)
        .subquery()
    )
    page_order = (
        (page.c.created_at.desc(), page.c.id.desc())
        if backwards
        else (page.c.created_at, page.c.id)
    )
    return (
        sa.select(*_SHOWN, _count(shape))
        .select_from(page)
        .join(FeedbackItem, FeedbackItem.id == page.c.id)
        .join(ModuleVersion, ModuleVersion.id == FeedbackItem.module_version_id)
        .order_by(*page_order)
    )


def _page(
    user: User, module: Module, find: str, cursor: Cursor | None
) -> tuple[list[PickerItem], int, str | None]:
    """Up to a page and one more items, in picker order (backwards for "before"), with all
    of them counted, and how the cursor was followed (None: from the start, as for a cursor
    naming no item). One statement; one more with a cursor, or for an empty page. The items
    are read branch by branch, one per version of the module and pilot of the user's."""
    params: dict[str, Any] = {}
    how: str | None = None
    if cursor is not None:
        at = db.session.scalar(
            sa.select(FeedbackItem.created_at).where(FeedbackItem.id == cursor[1])
        )
        if at is not None:
            how = cursor[0]
            params.update(cursor_at=at, cursor_number=cursor[1])
    version_ids = content_choices().module_versions.get(module.id, ())
    allowed = pilot_id_list(user, TRIAGE)
    pilots: list[int | None] = [None] if allowed is None else list(allowed)
    pairs = list(itertools.product(version_ids, pilots))
    if not pairs:
        return [], 0, how
    pattern, number = _search(find)
    for index, (version_id, pilot_id) in enumerate(pairs):
        params[f"version_{index}"] = version_id
        if allowed is not None:
            params[f"pilot_{index}"] = pilot_id
    if pattern is not None:
        params["pattern"] = pattern
    if number is not None:
        params["number"] = number
    shape = (len(pairs), allowed is not None, pattern is not None, number is not None, how)
    rows = db.session.execute(_page_statement(shape), params).all()
    if not rows:  # no items on this page: the count alone
        return [], db.session.scalar(_count_statement(shape), params) or 0, how
    return [PickerItem(*row[:-1]) for row in rows], rows[0][-1], how


def open_items_picker(
    user: User,
    module: Module,
    find: str,
    cursor: Cursor | None,
    number: int,
    ticked: list[int],
) -> Picker:
    """A page of the open feedback about ``module`` in the user's scope matching ``find``,
    oldest first, plus the ticked items not on it: a fixed number of queries, each reading
    a page or at most ``COUNT_CAP`` index entries, however much feedback the module has.
    The page, its items' columns and the count come from one statement."""
    find = find.strip()[:MAX_FIND]
    items, total, how = _page(user, module, find, cursor)
    more = len(items) > PICKER_PAGE
    items = items[:PICKER_PAGE]
    if how == "before":
        if not items:  # nothing before it (it was the first page): show the first page
            return open_items_picker(user, module, find, None, 1, ticked)
        number = max(number - 1, 1) if more else 1
        has_previous, has_next = more, True
        items.reverse()
    else:
        number = {"from": number, "after": number + 1}.get(how or "", 1)
        has_previous, has_next = number > 1, more
    shown = {item.id for item in items}
    others = sorted(set(ticked) - shown)
    elsewhere = (
        _columns(open_items(user, module).where(FeedbackItem.id.in_(others))) if others else []
    )
    return Picker(items, elsewhere, max(number, 1), total, find, has_previous, has_next)


def parse_cursor(action: str, first: str | None, last: str | None) -> Cursor | None:
    """Where the page asked for starts: after the shown page's last item (Next), before its
    first (Previous), at its first (any other post back), or at the start (a new search)."""
    if action == "find":
        return None
    how, raw = {
        "picker_next": ("after", last),
        "picker_previous": ("before", first),
    }.get(action, ("from", first))
    if raw and raw.isascii() and raw.isdigit() and len(raw) < 10:
        return how, int(raw)
    return None
