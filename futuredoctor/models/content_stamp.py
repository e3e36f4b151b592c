"""One row whose token changes whenever the content that forms offer as choices changes.

Regions and their local health priorities, the GPC domains, modules and their versions,
and the Clinician Educator Milestones change only with a content sync or a published
version, and the professions champions give only with a profile, yet the network, the
directory, mentoring and the forms that tag things list them on every page. Each web
process keeps those choices in memory (``futuredoctor.content.choices``) and reads only
this row to know whether they are still current: one short query instead of four or more.

The token is random rather than a counter, so a change that is rolled back and another
made after it can never share a token (a counter would repeat the same number).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from futuredoctor.models.base import Base, utcnow
from futuredoctor.models.champion import ChampionProfile
from futuredoctor.models.framework import Framework, FrameworkDomain
from futuredoctor.models.milestones import MilestoneDomain, MilestoneFramework, Subcompetency
from futuredoctor.models.module import Module, ModuleVersion
from futuredoctor.models.region import Region

STAMP_ID = 1
# What the cached choices are read from.
WATCHED = (
    Region,
    Framework,
    FrameworkDomain,
    Module,
    ModuleVersion,
    MilestoneFramework,
    MilestoneDomain,
    Subcompetency,
)


class ContentStamp(Base):
    __tablename__ = "content_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32))
    changed_at: Mapped[datetime]


def new_token() -> str:
    return secrets.token_hex(16)


# Set in a session's ``info`` once it has changed the token: a token read earlier in the
# same request is then out of date.
BUMPED = "content_stamp_bumped"


def bump(session: Session) -> None:
    """Give the stamp a new token in the session's transaction (made if missing)."""
    session.info[BUMPED] = True
    values = {"token": new_token(), "changed_at": utcnow()}
    connection = session.connection()  # not the session: this runs inside its flush
    stmt = sa.update(ContentStamp).where(ContentStamp.id == STAMP_ID).values(**values)
    if not connection.execute(stmt).rowcount:
        connection.execute(sa.insert(ContentStamp).values(id=STAMP_ID, **values))


def _changes_choices(session: Session, obj: object) -> bool:
    """Whether a changed object changes the choices: any change to what they are read
    from, and of a champion's profile only its profession (the directory's filter)."""
    if isinstance(obj, WATCHED):
        return session.is_modified(obj)
    if isinstance(obj, ChampionProfile):
        return sa.inspect(obj).attrs.profession.history.has_changes()
    return False


@event.listens_for(Session, "before_flush")
def _bump_on_change(session: Session, flush_context: Any, instances: Any) -> None:
    added_or_gone = (*session.new, *session.deleted)
    if any(isinstance(obj, (*WATCHED, ChampionProfile)) for obj in added_or_gone) or any(
        _changes_choices(session, obj) for obj in session.dirty
    ):
        bump(session)
