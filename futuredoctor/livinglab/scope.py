"""Who may triage which feedback, and on which modules a person may act.

A feedback item belongs to the pilot of its enrolment's cohort, of the co-design session
it came from, or (entered by staff on someone's behalf) the pilot it was recorded for. A
module belongs to every pilot it has been released to (a
scheduled release, past or future): lead educators of those pilots may triage its
feedback and publish its next version; national admins may act on every module.
Out-of-scope records are 404 through ``permissions.register_scoped_record``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from futuredoctor.extensions import db
from futuredoctor.models import (
    CodesignSession,
    Cohort,
    Enrolment,
    FeedbackItem,
    Module,
    ModuleVersion,
    Pilot,
    Release,
    ReleaseStatus,
    User,
)
from futuredoctor.models.module import with_version_and_module
from futuredoctor.permissions import (
    Permission,
    pilot_id_list,
    pilot_ids_in_scope,
    register_scoped_record,
    scope_pilots,
)

TRIAGE = Permission.TRIAGE_FEEDBACK
# A pilot id no grant can hold: records that belong to no pilot are national-only.
_NOWHERE = Pilot(id=0, slug="", name="")


def item_pilot_id() -> sa.ColumnElement[Any]:
    """The pilot an inbox row belongs to: kept on the item (``scope_pilot_id``, the pilot
    of its enrolment's cohort, of its co-design session, or the one it was entered for),
    so scoping it needs no join."""
    return FeedbackItem.scope_pilot_id.expression


def scoped_items(user: User) -> sa.Select[Any]:
    """Feedback items the user may triage, with the joins the inbox filters use."""
    stmt = (
        sa.select(FeedbackItem)
        .outerjoin(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .outerjoin(CodesignSession, CodesignSession.id == FeedbackItem.codesign_session_id)
    )
    return scope_pilots(stmt, user, TRIAGE, item_pilot_id())


def modules_in_scope(user: User) -> sa.Select[Any]:
    """Ids of the modules the user may act on (all modules for national admins)."""
    allowed = pilot_ids_in_scope(user, TRIAGE)
    if allowed is None:
        return sa.select(Module.id)
    return (
        sa.select(ModuleVersion.module_id)
        .join(Release, Release.module_version_id == ModuleVersion.id)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .where(Release.status == ReleaseStatus.SCHEDULED, Cohort.pilot_id.in_(allowed))
        .distinct()
    )


def pilot_for_module(module: Module) -> Pilot:
    """The pilot through which the signed-in person may act on ``module``: one in their
    scope that it is released to, else a pilot nobody is scoped to. Someone who may act on
    every pilot needs none found: the pilot nobody is scoped to is theirs too."""
    allowed = pilot_id_list(current_user, TRIAGE)
    if allowed is None:
        return _NOWHERE
    params = {"module_id": module.id, "allowed": allowed}
    return db.session.scalar(_PILOT_FOR_MODULE, params) or _NOWHERE


# Built once with the module and the person's pilots bound: every action on a module asks.
_PILOT_FOR_MODULE = (
    sa.select(Pilot)
    .join(Cohort, Cohort.pilot_id == Pilot.id)
    .join(Release, Release.cohort_id == Cohort.id)
    .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
    .where(
        ModuleVersion.module_id == sa.bindparam("module_id"),
        Release.status == ReleaseStatus.SCHEDULED,
        Pilot.id.in_(sa.bindparam("allowed", expanding=True)),
    )
    .order_by(Pilot.id)
    .limit(1)
)


def _item_scope(item: FeedbackItem) -> Cohort | Pilot:
    if item.enrolment is not None:
        return item.enrolment.cohort
    if item.codesign_session is not None:
        return item.codesign_session.pilot
    if item.pilot is not None:
        return item.pilot
    return _NOWHERE


def item_loading(one: bool = False) -> list[Any]:
    """Eager loading for showing items: module version, tags and where they came from (not
    the version's GPC domains, which no list of items shows: one query fewer).

    Where an item came from is its cohort (for participants' feedback) and the pilot whose
    educators triage it (``scope_pilot``: the cohort's, the co-design session's or the one
    it was entered for) with its region. Joining the pilot and region once, through that
    column, instead of along each of the three ways an item can have a pilot, leaves eight
    tables in the statement instead of thirteen: PostgreSQL planned the thirteen in about
    4 ms, every time, on the inbox at national size. For ``one`` item (its own page) the
    tags are joined too: one statement for everything."""
    return [
        *with_version_and_module(FeedbackItem.module_version),
        joinedload(FeedbackItem.enrolment).joinedload(Enrolment.cohort),
        joinedload(FeedbackItem.scope_pilot).joinedload(Pilot.region),
        joinedload(FeedbackItem.contributor),
        joinedload(FeedbackItem.tags) if one else selectinload(FeedbackItem.tags),
    ]


def _load_item(value: Any) -> FeedbackItem | None:
    """The item with what deciding its scope and showing it need, in one statement (built
    once): its cohort, version, module, pilot and region, contributor and tags were eight
    look-ups."""
    return db.session.scalars(_ITEM, {"value": int(value)}).unique().one_or_none()


# Built once with the URL value bound (see ``permissions._BY_URL``).
_ITEM = (
    sa.select(FeedbackItem)
    .where(FeedbackItem.id == sa.bindparam("value"))
    .options(*item_loading(one=True))
)
_SESSION = (
    sa.select(CodesignSession)
    .where(CodesignSession.id == sa.bindparam("value"))
    .options(joinedload(CodesignSession.pilot).joinedload(Pilot.region))
)
_MODULE = sa.select(Module).where(Module.slug == sa.bindparam("value"))


def _load_session(value: Any) -> CodesignSession | None:
    """The session with its pilot and region (its scope, and its page's heading)."""
    return db.session.scalars(_SESSION, {"value": int(value)}).one_or_none()


def _load_module(value: Any) -> Module | None:
    return db.session.scalar(_MODULE, {"value": value})


def register() -> None:
    register_scoped_record("feedback_item", _load_item, _item_scope)
    register_scoped_record("codesign_session", _load_session, lambda s: s.pilot)
    register_scoped_record("module", _load_module, pilot_for_module)


register()
