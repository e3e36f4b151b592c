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
from typing import Any

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import ModuleVersion

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


def version_picker(
    find: str, keep: Iterable[str | None] = (), modules: sa.Select[Any] | None = None
) -> VersionPicker:
    """Up to ``PICKER_LIMIT`` versions whose title contains ``find`` (all when empty), plus
    the versions in ``keep`` that are in scope; ``modules`` (ids) limits the scope."""
    columns = sa.select(ModuleVersion.id, ModuleVersion.title, ModuleVersion.number)
    if modules is not None:
        columns = columns.where(ModuleVersion.module_id.in_(modules))
    stmt = columns
    find = find.strip()[:FIND_MAX]
    if find:
        stmt = stmt.where(
            sa.func.lower(ModuleVersion.title).contains(find.lower(), autoescape=True)
        )
    found = db.session.execute(
        # In the order of ix_module_version_title_number, so the first page stops early.
        stmt.order_by(ModuleVersion.title, ModuleVersion.number).limit(PICKER_LIMIT + 1)
    ).all()
    rows = [VersionRow(*row) for row in found[:PICKER_LIMIT]]
    listed = {row.id for row in rows}
    wanted = [i for i in dict.fromkeys(_ids(keep)) if i not in listed]
    kept: list[VersionRow] = []
    if wanted:
        kept = [
            VersionRow(*row)
            for row in db.session.execute(
                columns.where(ModuleVersion.id.in_(wanted)).order_by(
                    ModuleVersion.title, ModuleVersion.number
                )
            )
        ]
    return VersionPicker(rows=kept + rows, find=find, more=len(found) > PICKER_LIMIT)
