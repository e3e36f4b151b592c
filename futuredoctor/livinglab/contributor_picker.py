"""A bounded picker of public contributors for the forms that name one: feedback entered
on someone's behalf, and a co-design session's suggestions and attendees.

A national admin's choice used to list every current contributor in the country, and a
pilot's list grows with every person recorded. The picker lists at most
``PICKER_LIMIT`` current contributors in the person's scope (and the session's pilot,
when there is one), found by a word of their display name, and keeps the one already
chosen so a re-rendered form never loses it. Searching posts the form back without
saving anything, like the module-version picker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from futuredoctor import like
from futuredoctor.extensions import db
from futuredoctor.livinglab.scope import TRIAGE
from futuredoctor.models import PublicContributor, User
from futuredoctor.permissions import pilot_id_list
from futuredoctor.version_picker import FIND_MAX, _ids

PICKER_LIMIT = 25
NONE_CHOSEN = ("", "Not a recorded contributor")


@dataclass(frozen=True)
class ContributorPicker:
    rows: list[PublicContributor]  # the chosen one first, then the matches by name
    find: str
    more: bool  # more contributors match than are listed: the page asks to narrow

    def by_key(self) -> dict[str, PublicContributor]:
        """The listed contributors by the value the select sends."""
        return {str(c.id): c for c in self.rows}

    def choices(self, with_pilot: bool = False) -> list[tuple[str, str]]:
        return [NONE_CHOSEN] + [
            (str(c.id), f"{c.display_name} ({c.pilot.name})" if with_pilot else c.display_name)
            for c in self.rows
        ]


@lru_cache(maxsize=32)
def _statement(scoped: bool, one_pilot: bool, find: bool, kept: bool) -> sa.Select[Any]:
    """The picker's statement for this shape, built once with its values bound: the
    co-design session's page runs it twice on every visit, and building it afresh cost
    more than running it."""
    stmt = (
        sa.select(PublicContributor)
        .where(PublicContributor.retired_at.is_(None))
        .options(joinedload(PublicContributor.pilot))
        .order_by(sa.func.lower(PublicContributor.display_name), PublicContributor.id)
    )
    if scoped:
        stmt = stmt.where(
            PublicContributor.pilot_id.in_(sa.bindparam("scope", expanding=True))
        )
    if one_pilot:
        stmt = stmt.where(PublicContributor.pilot_id == sa.bindparam("pilot_id"))
    if kept:
        return stmt.where(PublicContributor.id.in_(sa.bindparam("kept", expanding=True)))
    if find:
        name = sa.func.lower(PublicContributor.display_name)
        stmt = stmt.where(name.like(sa.bindparam("find"), escape=like.ESCAPE))
    return stmt.limit(PICKER_LIMIT + 1)


def contributor_picker(
    user: User, find: str, keep: Iterable[str | None] = (), pilot_id: int | None = None
) -> ContributorPicker:
    """Up to ``PICKER_LIMIT`` current contributors in ``user``'s scope whose display name
    contains ``find`` (all when empty), by name, plus those in ``keep`` that are current
    and in scope; ``pilot_id`` limits them to one pilot."""
    scope = pilot_id_list(user, TRIAGE)
    params = {"scope": scope, "pilot_id": pilot_id}
    shape = (scope is not None, pilot_id is not None)
    find = find.strip()[:FIND_MAX]
    stmt = _statement(*shape, bool(find), False)
    pattern = like.contains(find.lower())
    found = list(db.session.scalars(stmt, {**params, "find": pattern}))
    rows = found[:PICKER_LIMIT]
    listed = {c.id for c in rows}
    wanted = [i for i in dict.fromkeys(_ids(keep)) if i not in listed]
    kept = (
        list(db.session.scalars(_statement(*shape, False, True), {**params, "kept": wanted}))
        if wanted
        else []
    )
    return ContributorPicker(rows=kept + rows, find=find, more=len(found) > PICKER_LIMIT)
