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

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from futuredoctor.extensions import db
from futuredoctor.livinglab.contributors import scoped_contributors
from futuredoctor.models import PublicContributor, User
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


def contributor_picker(
    user: User, find: str, keep: Iterable[str | None] = (), pilot_id: int | None = None
) -> ContributorPicker:
    """Up to ``PICKER_LIMIT`` current contributors in ``user``'s scope whose display name
    contains ``find`` (all when empty), by name, plus those in ``keep`` that are current
    and in scope; ``pilot_id`` limits them to one pilot."""
    base = (
        scoped_contributors(user)
        .where(PublicContributor.retired_at.is_(None))
        .options(joinedload(PublicContributor.pilot))
        .order_by(sa.func.lower(PublicContributor.display_name), PublicContributor.id)
    )
    if pilot_id is not None:
        base = base.where(PublicContributor.pilot_id == pilot_id)
    find = find.strip()[:FIND_MAX]
    stmt = base
    if find:
        stmt = stmt.where(
            sa.func.lower(PublicContributor.display_name).contains(find.lower(), autoescape=True)
        )
    found = list(db.session.scalars(stmt.limit(PICKER_LIMIT + 1)))
    rows = found[:PICKER_LIMIT]
    listed = {c.id for c in rows}
    wanted = [i for i in dict.fromkeys(_ids(keep)) if i not in listed]
    kept = list(db.session.scalars(base.where(PublicContributor.id.in_(wanted)))) if wanted else []
    return ContributorPicker(rows=kept + rows, find=find, more=len(found) > PICKER_LIMIT)
