"""The feedback inbox: scoped, filtered and paged, in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from futuredoctor.extensions import db
from futuredoctor.livinglab.scope import TRIAGE, item_pilot_id, modules_in_scope, scoped_items
from futuredoctor.models import (
    CodesignSession,
    Cohort,
    Enrolment,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    FeedbackTag,
    Module,
    ModuleVersion,
    Pilot,
    Region,
    User,
    feedback_item_tag,
)
from futuredoctor.paging import Page, paginate
from futuredoctor.permissions import pilot_ids_in_scope


@dataclass(frozen=True)
class InboxFilter:
    """What the educator asked to see; ``None`` means "any"."""

    module_id: int | None = None
    version_id: int | None = None
    region_id: int | None = None
    status: FeedbackStatus | None = None
    max_rating: int | None = None  # any of the three ratings at or below this
    tag_id: int | None = None
    source: FeedbackSource | None = None
    text: str | None = None


def _filtered(user: User, wanted: InboxFilter) -> sa.Select[Any]:
    stmt = scoped_items(user)
    if wanted.module_id is not None or wanted.version_id is not None:
        stmt = stmt.join(ModuleVersion, ModuleVersion.id == FeedbackItem.module_version_id)
        if wanted.module_id is not None:
            stmt = stmt.where(ModuleVersion.module_id == wanted.module_id)
        if wanted.version_id is not None:
            stmt = stmt.where(ModuleVersion.id == wanted.version_id)
    if wanted.region_id is not None:
        in_region = sa.select(Pilot.id).where(Pilot.region_id == wanted.region_id)
        stmt = stmt.where(item_pilot_id().in_(in_region))
    if wanted.status is not None:
        stmt = stmt.where(FeedbackItem.status == wanted.status)
    if wanted.max_rating is not None:
        stmt = stmt.where(
            sa.or_(
                FeedbackItem.relevance <= wanted.max_rating,
                FeedbackItem.quality <= wanted.max_rating,
                FeedbackItem.applicability <= wanted.max_rating,
            )
        )
    if wanted.tag_id is not None:
        tagged = sa.select(feedback_item_tag.c.feedback_item_id).where(
            feedback_item_tag.c.tag_id == wanted.tag_id
        )
        stmt = stmt.where(FeedbackItem.id.in_(tagged))
    if wanted.source is not None:
        stmt = stmt.where(FeedbackItem.source == wanted.source)
    if wanted.text:
        escaped = wanted.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(FeedbackItem.text.ilike(f"%{escaped}%", escape="\\"))
    return stmt


def item_loading() -> list[Any]:
    """Eager loading for showing items: module version, tags and where they came from."""
    return [
        joinedload(FeedbackItem.module_version).joinedload(ModuleVersion.module),
        joinedload(FeedbackItem.enrolment)
        .joinedload(Enrolment.cohort)
        .joinedload(Cohort.pilot)
        .joinedload(Pilot.region),
        joinedload(FeedbackItem.codesign_session)
        .joinedload(CodesignSession.pilot)
        .joinedload(Pilot.region),
        selectinload(FeedbackItem.tags),
    ]


def inbox_page(user: User, wanted: InboxFilter, number: int) -> Page:
    """One page of the inbox, newest first: a count, a page query and a tag query."""
    stmt = (
        _filtered(user, wanted)
        .options(*item_loading())
        .order_by(FeedbackItem.created_at.desc(), FeedbackItem.id.desc())
    )
    return paginate(stmt, number)


def items_for_update(user: User, ids: list[int]) -> list[FeedbackItem]:
    """The chosen items that are in the user's scope (others are silently not found)."""
    if not ids:
        return []
    stmt = scoped_items(user).where(FeedbackItem.id.in_(ids)).order_by(FeedbackItem.id)
    return list(db.session.scalars(stmt.options(*item_loading())).unique())


def filter_choices(user: User) -> dict[str, list[Any]]:
    """Choices for the filter form: modules in scope and their versions, regions, tags."""
    modules = sa.select(Module.id).where(Module.id.in_(modules_in_scope(user)))
    versions = list(
        db.session.scalars(
            sa.select(ModuleVersion)
            .where(ModuleVersion.module_id.in_(modules))
            .options(joinedload(ModuleVersion.module))
            .order_by(ModuleVersion.title, ModuleVersion.number)
        )
    )
    regions = regions_in_scope(user)
    tags = list(db.session.scalars(sa.select(FeedbackTag).order_by(FeedbackTag.name)))
    return {"versions": versions, "regions": regions, "tags": tags}


def regions_in_scope(user: User) -> list[Region]:
    """Regions of the pilots the user may triage: a one-pilot educator sees only theirs."""
    stmt = sa.select(Region).order_by(Region.name)
    allowed = pilot_ids_in_scope(user, TRIAGE)
    if allowed is not None:
        stmt = stmt.where(Region.id.in_(sa.select(Pilot.region_id).where(Pilot.id.in_(allowed))))
    return list(db.session.scalars(stmt))


def status_counts(user: User) -> dict[FeedbackStatus, int]:
    """How many items in scope are in each status, in one grouped query."""
    inner = scoped_items(user).with_only_columns(FeedbackItem.status).subquery()
    stmt = sa.select(inner.c.status, sa.func.count()).group_by(inner.c.status)
    return {FeedbackStatus(status): count for status, count in db.session.execute(stmt)}
