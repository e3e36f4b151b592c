"""A bounded picker of module versions for the forms that choose one: scheduling a release
and recording co-design suggestions.

The number of module versions grows with every edit, and a select that listed them all
made those pages slower and heavier each time (300 versions at national size). The picker
lists at most ``PICKER_LIMIT`` versions, found by a word of the title, and keeps the ones
already chosen so a re-rendered form never loses a choice. It reads three columns, never
the module body.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from futuredoctor import like
from futuredoctor.extensions import db
from futuredoctor.models import Cohort, ModuleVersion, Release, ReleaseStatus

PICKER_LIMIT = 25
FIND_MAX = 100  # characters of a search; the form field says so to the person


@dataclass(frozen=True)
class VersionRow:
    id: int
    title: str
    number: int


@dataclass(frozen=True)
class VersionPicker:
    rows: list[VersionRow]  # the chosen ones first, then the matches in title order
    find: str
    more: bool  # more versions match than are listed: the page asks for a narrower search

    def choices(self, label: str = "{title} – version {number}") -> list[tuple[str, str]]:
        return [(str(r.id), label.format(title=r.title, number=r.number)) for r in self.rows]


def _ids(raw: Iterable[str | None]) -> list[int]:
    """Chosen ids as sent; anything that is not a plausible id is left to the form's check."""
    return [
        int(value)
        for value in raw
        if value and value.isascii() and value.isdigit() and len(value) < 10
    ]


@lru_cache(maxsize=16)
def _statement(scoped: bool, find: bool, kept: bool) -> sa.Select[Any]:
    """The picker's statement for this shape, built once with its values bound: the
    scheduling and co-design pages run it on every visit, and building it afresh cost more
    than running it."""
    stmt = sa.select(ModuleVersion.id, ModuleVersion.title, ModuleVersion.number)
    if scoped:  # modules scheduled to one of these pilots
        scheduled = (
            sa.select(ModuleVersion.module_id)
            .join(Release, Release.module_version_id == ModuleVersion.id)
            .join(Cohort, Cohort.id == Release.cohort_id)
            .where(
                Release.status == ReleaseStatus.SCHEDULED,
                Cohort.pilot_id.in_(sa.bindparam("pilots", expanding=True)),
            )
        )
        stmt = stmt.where(ModuleVersion.module_id.in_(scheduled))
    # In the order of ix_module_version_title_number, so the first page stops early.
    stmt = stmt.order_by(ModuleVersion.title, ModuleVersion.number)
    if kept:
        return stmt.where(ModuleVersion.id.in_(sa.bindparam("kept", expanding=True)))
    if find:
        stmt = stmt.where(
            sa.func.lower(ModuleVersion.title).like(sa.bindparam("find"), escape=like.ESCAPE)
        )
    return stmt.limit(PICKER_LIMIT + 1)


def version_picker(
    find: str, keep: Iterable[str | None] = (), pilots: list[int] | None = None
) -> VersionPicker:
    """Up to ``PICKER_LIMIT`` versions whose title contains ``find`` (all when empty), plus
    the versions in ``keep`` that are in scope; ``pilots`` limits them to the modules
    scheduled to those pilots (None: every module)."""
    scoped = pilots is not None
    find = find.strip()[:FIND_MAX]
    params = {"pilots": pilots, "find": like.contains(find.lower())}
    found = db.session.execute(_statement(scoped, bool(find), False), params).all()
    rows = [VersionRow(*row) for row in found[:PICKER_LIMIT]]
    listed = {row.id for row in rows}
    wanted = [i for i in dict.fromkeys(_ids(keep)) if i not in listed]
    kept: list[VersionRow] = []
    if wanted:
        stmt = _statement(scoped, False, True)
        kept = [VersionRow(*row) for row in db.session.execute(stmt, {**params, "kept": wanted})]
    return VersionPicker(rows=kept + rows, find=find, more=len(found) > PICKER_LIMIT)
