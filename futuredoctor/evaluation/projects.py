"""Evaluation projects: created by national admins, each with its own pseudonymisation key,
and evaluators' access attached to them (aggregate only, or participant-level under an
approval reference).

The key is generated here, on the server: a random salt is stored, the key is derived from
it and the study secret, and only its fingerprint is ever shown.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from futuredoctor import audit
from futuredoctor.evaluation.pseudonyms import key_fingerprint, project_key
from futuredoctor.extensions import db
from futuredoctor.models import EvaluationAccess, EvaluationProject, Pilot, Region, User
from futuredoctor.permissions import Permission, has_permission
from futuredoctor.refusals import Refusal

AGGREGATE = "aggregate"
PARTICIPANT = "participant"
KINDS = {
    AGGREGATE: "Aggregate package: suppressed counts by reporting period, safe to share",
    PARTICIPANT: "Participant-level package: pseudonymised records (approved projects only)",
}


@dataclass(frozen=True)
class ProjectKey:
    key: bytes
    fingerprint: str


def all_scopes() -> list[tuple[str, str]]:
    """Every region and pilot a project can cover, as (value, label)."""
    regions = db.session.scalars(sa.select(Region).order_by(Region.name))
    pilots = db.session.scalars(sa.select(Pilot).order_by(Pilot.name))
    return [(f"region:{r.code}", f"{r.name} (region)") for r in regions] + [
        (f"pilot:{p.slug}", f"{p.name} (pilot)") for p in pilots
    ]


def create_project(
    actor: User,
    secret: bytes,
    name: str,
    approval_reference: str,
    scopes: Iterable[str],
    starts_on: date,
    ends_on: date,
) -> EvaluationProject:
    name, approval_reference = name.strip(), approval_reference.strip()
    chosen = sorted(set(scopes))
    known = {value for value, _ in all_scopes()}
    if not chosen:
        raise Refusal("scopes", "Select at least one region or pilot")
    if set(chosen) - known:
        raise Refusal("scopes", "Select regions or pilots from the list")
    if ends_on < starts_on:
        raise Refusal("ends_on", "The end date must be the same as or after the start date")
    if db.session.scalar(sa.select(EvaluationProject.id).where(EvaluationProject.name == name)):
        raise Refusal("name", f"There is already a project called {name}")
    salt = secrets.token_hex(32)
    project = EvaluationProject(
        name=name,
        approval_reference=approval_reference,
        scopes=chosen,
        starts_on=starts_on,
        ends_on=ends_on,
        key_salt=salt,
        key_fingerprint=key_fingerprint(project_key(secret, salt)),
        created_by_id=actor.id,
    )
    db.session.add(project)
    db.session.flush()
    audit.record(
        "evaluation_project.created",
        actor=actor,
        target=project,
        name=name,
        approval_reference=approval_reference,
        scopes=", ".join(chosen),
        key_fingerprint=project.key_fingerprint,
    )
    return project


def grant_access(
    actor: User,
    project: EvaluationProject,
    email: str,
    participant_level: bool,
    approval_reference: str,
) -> EvaluationAccess:
    """Attach an evaluator to a project (or change what their access allows)."""
    person = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if person is None or not has_permission(person, Permission.EXPORT_EVALUATION):
        raise Refusal("email", "Enter the email address of someone with an evaluator role")
    reference = approval_reference.strip() or None
    if participant_level and not reference:
        raise Refusal(
            "approval_reference",
            "Enter the approval reference (ethics or data-sharing agreement) that allows "
            "participant-level data",
        )
    access = db.session.scalar(
        sa.select(EvaluationAccess).where(
            EvaluationAccess.project_id == project.id, EvaluationAccess.user_id == person.id
        )
    )
    if access is None:
        access = EvaluationAccess(project=project, user=person, granted_by_id=actor.id)
        db.session.add(access)
    access.participant_level = participant_level
    access.approval_reference = reference if participant_level else None
    db.session.flush()
    audit.record(
        "evaluation_access.granted",
        actor=actor,
        target=project,
        evaluator=person.email,
        participant_level=participant_level,
        approval_reference=access.approval_reference or "",
    )
    return access


def access_for(user: User) -> list[EvaluationAccess]:
    """The projects a person may export from, by project name."""
    stmt = (
        sa.select(EvaluationAccess)
        .join(EvaluationProject)
        .where(EvaluationAccess.user_id == user.id)
        .order_by(EvaluationProject.name)
    )
    return list(db.session.scalars(stmt))


def key_of(project: EvaluationProject, secret: bytes) -> ProjectKey:
    """The project's key; refused when the study secret has changed since it was made
    (the pseudonyms would silently change)."""
    key = project_key(secret, project.key_salt)
    fingerprint = key_fingerprint(key)
    if fingerprint != project.key_fingerprint:
        raise Refusal(
            "project",
            f"The study secret has changed since {project.name} was created, so its "
            "pseudonyms would change: ask a national administrator",
        )
    return ProjectKey(key, fingerprint)
