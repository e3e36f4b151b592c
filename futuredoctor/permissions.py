"""The one place that decides who may see and do what.

Roles map to permissions; role grants carry a region or pilot scope. Views declare what
they need with ``@requires`` (which also loads the scoped record named in the URL) or opt
out with ``@public`` / ``@signed_in``. Anything undeclared is refused, so a new route is
protected by default. A record outside the caller's scope is a 404: we do not confirm that
it exists.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from futuredoctor.extensions import db
from futuredoctor.models import Cohort, Enrolment, EnrolmentStatus, Pilot, Region, Role, User
from futuredoctor.typed_text import db_int

F = TypeVar("F", bound=Callable[..., Any])


class Permission(enum.StrEnum):
    TAKE_MODULES = "take_modules"
    VIEW_REGION = "view_region"
    # The region's page: priorities, pilots and champions. Regional leads see its figures;
    # champions see the page for the region they champion.
    VIEW_REGION_PAGE = "view_region_page"
    VIEW_PILOT = "view_pilot"
    VIEW_COHORT = "view_cohort"
    MANAGE_ENROLMENT = "manage_enrolment"
    SCHEDULE_RELEASES = "schedule_releases"
    TRIAGE_FEEDBACK = "triage_feedback"
    SIGN_ATTENDANCE = "sign_attendance"  # sign off a workshop's attendance register
    EXPORT_EVALUATION = "export_evaluation"
    EDIT_CHAMPION_PROFILE = "edit_champion_profile"
    PUBLISH_OPPORTUNITIES = "publish_opportunities"  # only one's own are ever shown
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    VIEW_NATIONAL = "view_national"  # the national dashboard across all regions
    MANAGE_OUTBOX = "manage_outbox"  # failed and waiting emails: retry, discard
    # Educators' own development (participants opt in first) and mentoring.
    EDUCATOR_DEVELOPMENT = "educator_development"
    MENTORING = "mentoring"
    VIEW_EDUCATOR_OVERVIEW = "view_educator_overview"  # aggregates for a region
    # Hide or restore trailblazer network posts tagged to one's region (national: any).
    MODERATE_NETWORK = "moderate_network"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PARTICIPANT: frozenset(
        {
            Permission.TAKE_MODULES,
            Permission.VIEW_COHORT,
            Permission.EDUCATOR_DEVELOPMENT,
            Permission.MENTORING,
        }
    ),
    Role.LEAD_EDUCATOR: frozenset(
        {
            Permission.VIEW_PILOT,
            Permission.VIEW_COHORT,
            Permission.TRIAGE_FEEDBACK,
            Permission.SCHEDULE_RELEASES,
            Permission.MANAGE_ENROLMENT,
            Permission.PUBLISH_OPPORTUNITIES,
            Permission.EDUCATOR_DEVELOPMENT,
            Permission.MENTORING,
            Permission.SIGN_ATTENDANCE,
        }
    ),
    Role.PILOT_ADMIN: frozenset(
        {Permission.VIEW_PILOT, Permission.VIEW_COHORT, Permission.MANAGE_ENROLMENT}
    ),
    Role.REGIONAL_LEAD: frozenset(
        {
            Permission.VIEW_REGION,
            Permission.VIEW_REGION_PAGE,
            Permission.VIEW_PILOT,
            Permission.VIEW_COHORT,
            Permission.SCHEDULE_RELEASES,
            Permission.VIEW_EDUCATOR_OVERVIEW,
            Permission.MODERATE_NETWORK,
        }
    ),
    Role.EVALUATOR: frozenset({Permission.EXPORT_EVALUATION}),
    Role.CHAMPION: frozenset(
        {
            Permission.EDIT_CHAMPION_PROFILE,
            Permission.VIEW_REGION_PAGE,
            Permission.PUBLISH_OPPORTUNITIES,
            Permission.EDUCATOR_DEVELOPMENT,
            Permission.MENTORING,
        }
    ),
    Role.NATIONAL_ADMIN: frozenset(Permission),
}


class Scope(enum.StrEnum):
    NONE = "none"  # not scoped (participant: their enrolments decide; national admin: all)
    REGION = "region"
    PILOT = "pilot"
    REGION_OR_PILOT = "region_or_pilot"


ROLE_SCOPES: dict[Role, Scope] = {
    Role.PARTICIPANT: Scope.NONE,
    Role.LEAD_EDUCATOR: Scope.PILOT,
    Role.PILOT_ADMIN: Scope.PILOT,
    Role.REGIONAL_LEAD: Scope.REGION,
    Role.EVALUATOR: Scope.REGION_OR_PILOT,
    Role.CHAMPION: Scope.REGION,
    Role.NATIONAL_ADMIN: Scope.NONE,
}


def scope_problem(role: Role, region_id: int | None, pilot_id: int | None) -> str | None:
    """Why a grant's scope does not fit its role, or None when it fits."""
    kind = ROLE_SCOPES[role]
    if kind is Scope.NONE and (region_id or pilot_id):
        return f"{role.label} is not scoped to a region or pilot; leave the scope empty."
    if kind is Scope.REGION and (not region_id or pilot_id):
        return f"{role.label} must be scoped to a region."
    if kind is Scope.PILOT and (not pilot_id or region_id):
        return f"{role.label} must be scoped to a pilot."
    if kind is Scope.REGION_OR_PILOT and bool(region_id) == bool(pilot_id):
        return f"{role.label} must be scoped to either a region or a pilot."
    return None


def actor() -> User:
    """The signed-in person: the ``User`` behind Flask-Login's ``current_user`` proxy, for
    services that record who acted (views behind ``@requires``/``@signed_in`` only)."""
    return current_user._get_current_object()


def has_permission(user: Any, permission: Permission) -> bool:
    """Whether any of the user's roles carries the permission, in some scope."""
    if not getattr(user, "is_authenticated", False):
        return False
    return any(permission in ROLE_PERMISSIONS[grant.role] for grant in user.grants)


def _is_national(user: User, permission: Permission) -> bool:
    return any(
        g.role is Role.NATIONAL_ADMIN and permission in ROLE_PERMISSIONS[g.role]
        for g in user.grants
    )


def _relevant_grants(user: User, permission: Permission) -> list[Any]:
    return [g for g in user.grants if permission in ROLE_PERMISSIONS[g.role]]


def pilot_ids_in_scope(user: User, permission: Permission) -> sa.Select[Any] | None:
    """A subquery of the pilot ids the user may act on, or None for "every pilot"."""
    if _is_national(user, permission):
        return None
    grants = _relevant_grants(user, permission)
    region_ids = [g.region_id for g in grants if g.region_id]
    pilot_ids = [g.pilot_id for g in grants if g.pilot_id]
    conditions: list[sa.ColumnElement[bool]] = []
    if region_ids:
        conditions.append(Pilot.region_id.in_(region_ids))
    if pilot_ids:
        conditions.append(Pilot.id.in_(pilot_ids))
    if Role.PARTICIPANT in {g.role for g in grants}:
        enrolled = (
            sa.select(Cohort.pilot_id)
            .join(Enrolment, Enrolment.cohort_id == Cohort.id)
            .where(Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        )
        conditions.append(Pilot.id.in_(enrolled))
    if not conditions:
        return sa.select(Pilot.id).where(sa.false())
    return sa.select(Pilot.id).where(sa.or_(*conditions))


def pilot_id_list(user: User, permission: Permission) -> list[int] | None:
    """The ids ``pilot_ids_in_scope`` selects, as a list (None: every pilot), read from the
    grants alone when they name only pilots, from the database otherwise."""
    allowed = pilot_ids_in_scope(user, permission)
    if allowed is None:
        return None
    grants = _relevant_grants(user, permission)
    if any(g.region_id or g.role is Role.PARTICIPANT for g in grants):
        return list(db.session.scalars(allowed))
    return sorted({g.pilot_id for g in grants if g.pilot_id})


def region_ids_in_scope(user: User, permission: Permission) -> sa.Select[Any] | None:
    """Regions where the user holds a region-wide grant carrying ``permission``."""
    if _is_national(user, permission):
        return None
    ids = [g.region_id for g in _relevant_grants(user, permission) if g.region_id]
    return sa.select(Region.id).where(Region.id.in_(ids) if ids else sa.false())


def region_id_list(user: User, permission: Permission) -> list[int] | None:
    """The ids ``region_ids_in_scope`` selects, from the grants alone (None: every region)."""
    if _is_national(user, permission):
        return None
    return sorted({g.region_id for g in _relevant_grants(user, permission) if g.region_id})


def scope_pilots(stmt: sa.Select[Any], user: User, permission: Permission, pilot_column: Any):
    """Narrow a list query to rows whose pilot is in the user's scope: the one way lists
    are scoped (``pilot_column`` is the column holding each row's pilot id)."""
    allowed = pilot_ids_in_scope(user, permission)
    return stmt if allowed is None else stmt.where(pilot_column.in_(allowed))


def scope_regions(stmt: sa.Select[Any], user: User, permission: Permission, region_column: Any):
    """Narrow a query to rows whose region is in the user's region-wide scope."""
    allowed = region_ids_in_scope(user, permission)
    return stmt if allowed is None else stmt.where(region_column.in_(allowed))


def can_access(user: Any, permission: Permission, record: Region | Pilot | Cohort) -> bool:
    """Whether ``user`` may use ``permission`` on this region, pilot or cohort."""
    if not has_permission(user, permission):
        return False
    if _is_national(user, permission):
        return True
    grants = _relevant_grants(user, permission)
    region_ids = {g.region_id for g in grants if g.region_id}
    if isinstance(record, Region):
        # A region is in scope only through a region-wide grant: the grants say it all.
        return record.id in region_ids
    allowed = pilot_ids_in_scope(user, permission)
    target = record.id if isinstance(record, Pilot) else record.pilot_id
    assert allowed is not None
    if isinstance(record, Cohort) and permission is Permission.VIEW_COHORT:
        # Participants see only their own cohorts, not their pilot's other cohorts.
        staff = [g for g in grants if g.role is not Role.PARTICIPANT]
        if not staff:
            return record.id in _enrolled_cohort_ids(user)
    # What the grants show without asking the database (the pilot itself, or a pilot of a
    # region granted); anything else (a participant's enrolments) is asked.
    if any(g.pilot_id == target for g in grants):
        return True
    if isinstance(record, Pilot) and record.region_id in region_ids:
        return True
    return bool(db.session.scalar(sa.select(sa.literal(target).in_(allowed))))


def _enrolled_cohort_ids(user: User) -> set[int]:
    stmt = sa.select(Enrolment.cohort_id).where(
        Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN
    )
    return set(db.session.scalars(stmt))


# The records pages are named by, built once with the URL value bound: every scoped page
# reads one, and building an ORM statement (and its cache key) costs more than running it.
# A pilot's and a cohort's pages name where they belong: read with the record, these are
# not a look-up each after it.
_BY_URL: dict[str, sa.Select[Any]] = {
    "region": sa.select(Region).where(Region.code == sa.bindparam("value")),
    "pilot": sa.select(Pilot)
    .where(Pilot.slug == sa.bindparam("value"))
    .options(joinedload(Pilot.region), joinedload(Pilot.cohorts)),
    "cohort": sa.select(Cohort)
    .where(Cohort.slug == sa.bindparam("value"))
    .options(joinedload(Cohort.pilot).joinedload(Pilot.region)),
}


def _by_url(kind: str) -> Callable[[str], Any]:
    def load(value: str) -> Any:
        return db.session.scalars(_BY_URL[kind], {"value": value}).unique().one_or_none()

    return load


# kind -> (load the record from the URL value, find the region/pilot/cohort it belongs to)
_LOADERS: dict[str, tuple[Callable[[str], Any], Callable[[Any], Region | Pilot | Cohort]]] = {
    kind: (_by_url(kind), lambda record: record) for kind in _BY_URL
}


def register_scoped_record(
    kind: str,
    loader: Callable[[Any], Any],
    scope: Callable[[Any], Region | Pilot | Cohort],
) -> None:
    """Let ``@requires(..., kind="url_arg")`` load another record type (a release, a
    feedback item...). ``scope`` names the region, pilot or cohort it belongs to; the
    access decision itself stays here."""
    _LOADERS[kind] = (loader, scope)


def get_scoped_or_404(
    model: type[Any],
    record_id: Any,
    permission: Permission,
    scope_of: Callable[[Any], Region | Pilot | Cohort],
    user: Any = None,
    where: Callable[[Any], bool] | None = None,
) -> Any:
    """The record with this id (posted in a form or named in a URL) if the user may use
    ``permission`` on the region, pilot or cohort ``scope_of`` finds for it (and it
    satisfies ``where``, e.g. "belongs to this cohort"); otherwise 404."""
    record = db.session.get(model, record_id) if record_id is not None else None
    return _in_scope_or_404(record, permission, scope_of, user, where)


def _in_scope_or_404(
    record: Any,
    permission: Permission,
    scope_of: Callable[[Any], Region | Pilot | Cohort],
    user: Any = None,
    where: Callable[[Any], bool] | None = None,
) -> Any:
    user = current_user if user is None else user
    if record is None or (where is not None and not where(record)):
        abort(404)
    if not can_access(user, permission, scope_of(record)):
        abort(404)
    return record


def get_owned_or_404(model: type[Any], record_id: Any, user: Any, owner: Callable[[Any], int]):
    """A participant's own record (progress, reflection, consent...), or 404 for anyone
    else's: people never learn that someone else's record exists."""
    if isinstance(record_id, int) and db_int(record_id) is None:
        abort(404)  # beyond the id column's range: unknown, without asking the database
    record = db.session.get(model, record_id) if record_id is not None else None
    if record is None or not getattr(user, "is_authenticated", False) or owner(record) != user.id:
        abort(404)
    return record


def requires(permission: Permission, **scoped: str) -> Callable[[F], F]:
    """Require ``permission``; with ``region="code"`` (or pilot/cohort) load that URL value,
    check it is in scope (404 if not) and pass the record to the view under that name."""
    if len(scoped) > 1:
        raise TypeError("requires() takes at most one scoped record")

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if scoped:
                kind, url_arg = next(iter(scoped.items()))
                load, scope_of = _LOADERS[kind]
                kwargs[kind] = _in_scope_or_404(load(kwargs.pop(url_arg)), permission, scope_of)
            elif not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapper.access_rule = ("permission", permission, tuple(scoped))  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Open to anyone, signed in or not (login page, health check, error pages)."""
    view.access_rule = ("public",)  # type: ignore[attr-defined]
    return view


def signed_in(view: F) -> F:
    """Open to any signed-in user; the view shows only the user's own data."""
    view.access_rule = ("signed_in",)  # type: ignore[attr-defined]
    return view


def access_rule(view: Callable[..., Any] | None) -> tuple[Any, ...] | None:
    return getattr(view, "access_rule", None)


def recent_sign_in_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Ask for the password again before a sensitive action when it was last typed more
    than RECENT_SIGN_IN_MINUTES ago (a borrowed, unlocked computer cannot mint API tokens
    or hand out roles)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        from futuredoctor.auth import sessions

        if current_user.is_authenticated and not sessions.signed_in_recently():
            if request.method in {"GET", "HEAD"}:
                back = request.full_path.rstrip("?")
            else:
                back = _same_site_path(request.referrer) or "/"
            flash("For your security, enter your password again to continue.", "info")
            return redirect(url_for("auth.confirm_password", next=back))
        return view(*args, **kwargs)

    return guarded


def _same_site_path(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
