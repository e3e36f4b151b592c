"""The feedback inbox: scoped, filtered and paged, in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort

from futuredoctor import like
from futuredoctor.content.choices import content_choices
from futuredoctor.extensions import db
from futuredoctor.livinglab.scope import (
    TRIAGE,
    item_loading,
    item_pilot_id,
    modules_in_scope,
    scoped_items,
)
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
from futuredoctor.paging import PER_PAGE, Page
from futuredoctor.permissions import pilot_ids_in_scope
from futuredoctor.summaries import store


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
        pattern = like.contains(wanted.text)
        stmt = stmt.where(FeedbackItem.text.ilike(pattern, escape=like.ESCAPE))
    return stmt


def inbox_page(user: User, wanted: InboxFilter, number: int, total: int | None = None) -> Page:
    """One page of the inbox, newest first: a count (unless ``total`` is known), the page's
    item numbers, the page's items by number, and their tags.

    The numbers are found by a narrow query (the scope's joins and the created_at index,
    nothing else), and only the page's 50 items are loaded with everything shown about
    them. Asking for the page with all of that joined on made PostgreSQL plan a join of 16
    tables (about 100 ms of planning at national size) and start parallel workers to walk
    the index."""
    stmt = _filtered(user, wanted)
    if total is None:
        total = db.session.scalar(
            sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
        )
    total = total or 0
    if number > 1 and (number - 1) * PER_PAGE >= total:
        abort(404)
    newest_first = (FeedbackItem.created_at.desc(), FeedbackItem.id.desc())
    ids = list(
        db.session.scalars(
            stmt.with_only_columns(FeedbackItem.id)
            .order_by(*newest_first)
            .limit(PER_PAGE)
            .offset((number - 1) * PER_PAGE)
        )
    )
    items = (
        db.session.scalars(
            sa.select(FeedbackItem)
            .where(FeedbackItem.id.in_(ids))
            .options(*item_loading())
            .order_by(*newest_first)
        )
        .unique()
        .all()
    )
    return Page(items=items, number=number, per_page=PER_PAGE, total=total)


def items_for_update(user: User, ids: list[int]) -> list[FeedbackItem]:
    """The chosen items that are in the user's scope (others are silently not found)."""
    if not ids:
        return []
    stmt = scoped_items(user).where(FeedbackItem.id.in_(ids)).order_by(FeedbackItem.id)
    return list(db.session.scalars(stmt.options(*item_loading())).unique())


@dataclass(frozen=True)
class ModuleChoice:
    id: int
    slug: str
    title: str  # of its latest version


@dataclass(frozen=True)
class VersionChoice:
    id: int
    module_id: int
    title: str
    number: int


def filter_choices(user: User, module_slug: str, version_id: str) -> dict[str, list[Any]]:
    """Choices for the filter form: modules in scope, the versions of one module (the one
    chosen, or the one of the chosen version), regions and tags.

    The version list used to hold every version in scope (300 at national size); it now
    holds one module's versions, and both lists read a few columns, not whole versions.
    Someone who triages everywhere is offered every module and region: the kept content
    choices, without a statement.
    """
    in_scope = modules_in_scope(user)
    if pilot_ids_in_scope(user, TRIAGE) is None:
        kept = content_choices()
        modules = [ModuleChoice(kept.module_ids[slug], slug, title) for slug, title in kept.modules]
        regions: list[Any] = list(kept.regions)
    else:
        modules = _modules_in_scope(user)
        regions = regions_in_scope(user)
    chosen = next((m.id for m in modules if m.slug == module_slug), None)
    if chosen is not None:
        of_module: Any = sa.literal(chosen)
    elif version_id.isascii() and version_id.isdigit() and len(version_id) < 10:
        of_module = (
            sa.select(ModuleVersion.module_id)
            .where(ModuleVersion.id == int(version_id))
            .scalar_subquery()
        )
    else:
        of_module = None
    versions = (
        [
            VersionChoice(*row)
            for row in db.session.execute(
                sa.select(
                    ModuleVersion.id,
                    ModuleVersion.module_id,
                    ModuleVersion.title,
                    ModuleVersion.number,
                )
                .where(ModuleVersion.module_id == of_module, ModuleVersion.module_id.in_(in_scope))
                .order_by(ModuleVersion.number)
            )
        ]
        if of_module is not None
        else []
    )
    tags = list(db.session.scalars(sa.select(FeedbackTag).order_by(FeedbackTag.name)))
    return {"modules": modules, "versions": versions, "regions": regions, "tags": tags}


def _modules_in_scope(user: User) -> list[ModuleChoice]:
    """The modules ``user`` may triage, by their latest version's title."""
    latest_title = (
        sa.select(ModuleVersion.title)
        .where(ModuleVersion.module_id == Module.id)
        .order_by(ModuleVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    return [
        ModuleChoice(*row)
        for row in db.session.execute(
            sa.select(Module.id, Module.slug, latest_title.label("title"))
            .where(Module.id.in_(modules_in_scope(user)))
            .order_by(latest_title, Module.slug)
        )
    ]


def regions_in_scope(user: User) -> list[Region]:
    """Regions of the pilots the user may triage: a one-pilot educator sees only theirs."""
    stmt = sa.select(Region).order_by(Region.name)
    allowed = pilot_ids_in_scope(user, TRIAGE)
    if allowed is not None:
        stmt = stmt.where(Region.id.in_(sa.select(Pilot.region_id).where(Pilot.id.in_(allowed))))
    return list(db.session.scalars(stmt))


def status_counts(user: User) -> dict[FeedbackStatus, int]:
    """How many items in scope are in each status, counted now in one grouped query."""
    inner = scoped_items(user).with_only_columns(FeedbackItem.status).subquery()
    stmt = sa.select(inner.c.status, sa.func.count()).group_by(inner.c.status)
    return {FeedbackStatus(status): count for status, count in db.session.execute(stmt)}


COUNTS = "feedback_status"


@store.refresher(COUNTS)
def status_figures(key: str = "all") -> dict[str, dict[str, int]]:
    """Items by pilot ("0": no pilot) and status, across the whole country."""
    pilot = item_pilot_id()
    stmt = (
        sa.select(pilot, FeedbackItem.status, sa.func.count())
        .select_from(FeedbackItem)
        .outerjoin(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .outerjoin(CodesignSession, CodesignSession.id == FeedbackItem.codesign_session_id)
        .group_by(pilot, FeedbackItem.status)
    )
    figures: dict[str, dict[str, int]] = {}
    for pilot_id, status, count in db.session.execute(stmt):
        figures.setdefault(str(pilot_id or 0), {})[FeedbackStatus(status).value] = count
    return figures


def summary_counts(user: User) -> tuple[dict[FeedbackStatus, int], Any]:
    """``status_counts`` read from the stored summary, and when it was counted."""
    snapshot = store.read(COUNTS, "all", lambda: status_figures("all"))
    scope = pilot_ids_in_scope(user, TRIAGE)
    allowed = None if scope is None else set(db.session.scalars(scope))
    counts: dict[FeedbackStatus, int] = {}
    for pilot_id, by_status in snapshot.payload.items():
        if allowed is not None and int(pilot_id) not in allowed:
            continue
        for status, count in by_status.items():
            counts[FeedbackStatus(status)] = counts.get(FeedbackStatus(status), 0) + count
    return counts, snapshot.as_of
