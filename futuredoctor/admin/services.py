"""National admin work on accounts and role grants. Services change and flush; the request
door commits once. Refusals are raised as ``Refusal`` naming the form field they belong to,
before anything is changed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, load_only
from wtforms.fields.choices import SelectChoice

from futuredoctor import audit, like
from futuredoctor.admin import closures
from futuredoctor.auth import accounts
from futuredoctor.extensions import db
from futuredoctor.models import AuditEvent, Pilot, Region, Role, RoleGrant, User, utcnow
from futuredoctor.paging import Page, paginate_bound
from futuredoctor.permissions import scope_problem
from futuredoctor.refusals import Refusal

NATIONAL_SCOPE = ""
EN_DASH = "\u2013"


# --- reading -------------------------------------------------------------------------------


def account_status(user: User, now: datetime | None = None) -> str:
    """'closed', 'invited' (no password yet), 'locked' (sign-in paused) or 'active'."""
    if not user.is_enabled:
        return "closed"
    if user.password_hash is None:
        return "invited"
    if user.locked_until is not None and user.locked_until > (now or utcnow()):
        return "locked"
    return "active"


def grant_label(grant: RoleGrant) -> str:
    """'Regional lead, en dash, London'; unscoped roles are just their label."""
    if grant.region_id is None and grant.pilot_id is None:
        return grant.role.label
    return _label(grant.role, grant.scope_label)


def _label(role: Role, scope: str | None) -> str:
    return f"{role.label} {EN_DASH} {scope}" if scope else role.label


USERS_COUNTED = 1000


def _users(searching: bool, by_role: bool) -> sa.Select[tuple[User]]:
    stmt = sa.select(User).options(
        load_only(
            User.email,
            User.given_name,
            User.family_name,
            User.is_enabled,
            User.password_hash,
            User.locked_until,
        ),
        lazyload(User.grants),  # their labels come from ``role_labels``, as plain rows
    )
    if searching:
        term = sa.bindparam("term", type_=sa.String)
        full_name = sa.func.lower(User.given_name + " " + User.family_name)
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(User.email).like(term, escape=like.ESCAPE),
                full_name.like(term, escape=like.ESCAPE),
            )
        )
    if by_role:
        granted = sa.select(RoleGrant.user_id).where(RoleGrant.role == sa.bindparam("role"))
        stmt = stmt.where(User.id.in_(granted))
    return stmt.order_by(User.family_name, User.given_name, User.id)


def list_users(query: str | None, role: Role | None, number: int) -> Page:
    """One page of users matching the search, with grants (and their scopes) eager-loaded:
    of each account only what the list shows (name, email and what its status is made of)."""
    params = {"term": like.contains((query or "").lower()), "role": role}
    shape = (bool(query), role is not None)
    # Counting every account (60,000 at national size) for the pager cost more than the
    # page; past USERS_COUNTED the pager says "more than" and offers the next page.
    return paginate_bound(
        ("users", *shape), lambda: _users(*shape), params, number, count_up_to=USERS_COUNTED
    )


# The labels of a page of users' roles, in the order ``User.grants`` keeps them: plain rows
# (role, region, pilot), not grant objects with their region and pilot, for fifty people.
_ROLE_LABELS = (
    sa.select(RoleGrant.user_id, RoleGrant.role, Region.name, Pilot.name)
    .outerjoin(Region, Region.id == RoleGrant.region_id)
    .outerjoin(Pilot, Pilot.id == RoleGrant.pilot_id)
    .where(RoleGrant.user_id.in_(sa.bindparam("user_ids", expanding=True)))
    .order_by(RoleGrant.user_id, RoleGrant.id)
)


def role_labels(users: Sequence[User]) -> dict[int, list[str]]:
    """Each user's role labels ('Regional lead – London'), as ``grant_label`` words them."""
    labels: dict[int, list[str]] = {user.id: [] for user in users}
    if labels:
        found = db.session.execute(_ROLE_LABELS, {"user_ids": list(labels)})
        for user_id, role, region, pilot in found:
            labels[user_id].append(_label(role, pilot or region))
    return labels


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def scope_choices() -> list[SelectChoice]:
    """The scope select: national, each region, each pilot (two queries, names included)."""
    regions = db.session.scalars(sa.select(Region).order_by(Region.name)).all()
    pilots = db.session.scalars(
        sa.select(Pilot).options(joinedload(Pilot.region)).order_by(Pilot.name, Pilot.id)
    ).all()
    choices = [SelectChoice(NATIONAL_SCOPE, "National (no scope)")]
    choices += [SelectChoice(f"region:{r.id}", f"Region: {r.name}") for r in regions]
    choices += [SelectChoice(f"pilot:{p.id}", f"Pilot: {p.name} ({p.region.name})") for p in pilots]
    return choices


def parse_scope(value: str | None) -> tuple[int | None, int | None]:
    """'' -> national, 'region:3' -> (3, None), 'pilot:5' -> (None, 5)."""
    value = (value or "").strip()
    if value == NATIONAL_SCOPE:
        return None, None
    kind, _, raw_id = value.partition(":")
    if kind not in {"region", "pilot"} or not raw_id.isascii() or not raw_id.isdigit():
        raise Refusal("scope", "Select a scope from the list")
    return (int(raw_id), None) if kind == "region" else (None, int(raw_id))


def scope_value(grant: RoleGrant) -> str:
    if grant.region_id is not None:
        return f"region:{grant.region_id}"
    if grant.pilot_id is not None:
        return f"pilot:{grant.pilot_id}"
    return "national"


def audit_actions() -> list[str]:
    """Every action the log holds, for the filter: one step along ``ix_audit_event_action_time``
    per distinct action (a recursive "next action after this one"), so the cost stays with
    the few dozen actions, not with the years of events behind them."""
    return list(db.session.scalars(_ACTIONS))


def _actions() -> sa.Select[tuple[str]]:
    found = sa.select(sa.func.min(AuditEvent.action).label("action")).cte(
        "actions", recursive=True
    )
    following = (
        sa.select(sa.func.min(AuditEvent.action))
        .where(AuditEvent.action > found.c.action)
        .scalar_subquery()
    )
    found = found.union_all(sa.select(following).where(found.c.action.is_not(None)))
    return sa.select(found.c.action).where(found.c.action.is_not(None)).order_by(found.c.action)


_ACTIONS = _actions()  # built once: the audit page's filter asks on every visit


def list_audit_events(
    action: str | None,
    actor_email: str | None,
    number: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page:
    """Newest first, actors joined in the same query (only what the log shows of them:
    name and email); ``since``/``until`` bound the time. The page's statement is built
    once per set of filters, their values bound."""
    shape = (since is not None, until is not None, bool(action), bool(actor_email))
    params = {
        "since": since,
        "until": until,
        "action": action,
        "actor": like.contains((actor_email or "").strip().lower()),
    }
    return paginate_bound(("audit", *shape), lambda: _events(*shape), params, number)


def _events(since: bool, until: bool, action: bool, actor: bool) -> sa.Select[tuple[AuditEvent]]:
    stmt = sa.select(AuditEvent).options(
        joinedload(AuditEvent.actor)
        .load_only(User.given_name, User.family_name, User.email)
        .options(lazyload(User.grants))
    )
    at = AuditEvent.occurred_at
    if since:
        stmt = stmt.where(at >= sa.bindparam("since", type_=at.type))
    if until:
        stmt = stmt.where(at < sa.bindparam("until", type_=at.type))
    if action:
        stmt = stmt.where(AuditEvent.action == sa.bindparam("action"))
    if actor:
        email = sa.func.lower(User.email)
        actor_ids = sa.select(User.id).where(email.like(sa.bindparam("actor"), escape=like.ESCAPE))
        stmt = stmt.where(AuditEvent.actor_id.in_(actor_ids))
    return stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def audit_target_users(events: Any) -> dict[str, User]:
    """Users named as targets on this page, in one query, so rows can show their email."""
    ids = {int(e.target_id) for e in events if e.target_type == "User" and _is_id(e.target_id)}
    if not ids:
        return {}
    stmt = sa.select(User).where(User.id.in_(ids)).options(lazyload(User.grants))
    return {str(user.id): user for user in db.session.scalars(stmt)}


def _is_id(value: str | None) -> bool:
    return bool(value) and value.isascii() and value.isdigit()  # type: ignore[union-attr]


# --- changing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewUser:
    email: str
    given_name: str
    family_name: str


def create_user(new: NewUser, actor: User) -> User:
    """Open an account and email its owner a link to set their own password: nobody
    types a password for somebody else."""
    email = new.email.strip().lower()
    taken = db.session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email))
    if taken is not None:
        raise Refusal("email", "An account with this email address already exists")
    user = User(
        email=email,
        given_name=new.given_name.strip(),
        family_name=new.family_name.strip(),
        password_hash=None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        actor=actor,
        target=user,
        email=email,
    )
    accounts.invite_staff(user, actor)
    return user


def add_grant(
    user: User, role: Role, region_id: int | None, pilot_id: int | None, actor: User
) -> RoleGrant:
    problem = scope_problem(role, region_id, pilot_id)
    if problem:
        raise Refusal("scope", problem)
    region = db.session.get(Region, region_id) if region_id else None
    pilot = db.session.get(Pilot, pilot_id) if pilot_id else None
    if (region_id and region is None) or (pilot_id and pilot is None):
        raise Refusal("scope", "Select a scope from the list")
    duplicate = any(
        g.role is role and g.region_id == region_id and g.pilot_id == pilot_id for g in user.grants
    )
    if duplicate:
        raise Refusal(
            "role",
            f"{user.full_name} already holds this role with this scope",
        )
    grant = RoleGrant(
        role=role,
        region_id=region_id,
        pilot_id=pilot_id,
        region=region,
        pilot=pilot,
        granted_by_id=actor.id,
    )
    user.grants.append(grant)
    db.session.flush()
    audit.record(
        "grant.added",
        actor=actor,
        target=user,
        grant_id=grant.id,
        role=role.value,
        scope=scope_value(grant),
        scope_name=grant.scope_label,
    )
    return grant


def find_grant(user: User, grant_id: int) -> RoleGrant | None:
    return next((g for g in user.grants if g.id == grant_id), None)


def remove_grant(user: User, grant: RoleGrant, actor: User) -> None:
    if grant.role is Role.NATIONAL_ADMIN and user.id == actor.id:
        raise Refusal(
            None,
            "You cannot remove your own national admin role. Ask another national admin.",
        )
    details = {
        "grant_id": grant.id,
        "role": grant.role.value,
        "scope": scope_value(grant),
        "scope_name": grant.scope_label,
    }
    user.grants.remove(grant)
    db.session.flush()
    audit.record("grant.removed", actor=actor, target=user, **details)


def unlock(user: User, actor: User) -> bool:
    """Clear a lockout; False when there was nothing to clear."""
    if user.locked_until is None and not user.failed_login_count:
        return False
    was_locked_until = user.locked_until
    user.locked_until = None
    user.failed_login_count = 0
    db.session.flush()
    audit.record(
        "account.unlocked",
        actor=actor,
        target=user,
        was_locked_until=was_locked_until.isoformat() if was_locked_until else None,
    )
    return True


def close_account(user: User, actor: User) -> bool:
    """Close the account and end its sessions; False when it was already closed."""
    if user.id == actor.id:
        raise Refusal(None, "You cannot close your own account. Ask another national admin.")
    if not user.is_enabled:
        return False
    user.is_enabled = False
    user.session_version += 1  # every existing session cookie stops working
    db.session.flush()
    audit.record("account.closed", actor=actor, target=user)
    closures.settle_on_closing(user, actor)
    return True


def reopen_account(user: User, actor: User) -> bool:
    """Reopen a closed account; False when it was already open."""
    if user.is_enabled:
        return False
    user.is_enabled = True
    db.session.flush()
    audit.record("account.reopened", actor=actor, target=user)
    return True
