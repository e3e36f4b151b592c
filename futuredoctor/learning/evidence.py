"""Evidence of completion. Workshops are completed through an attendance register that the
lead educator (or the facilitator with that role) signs off for a whole session at once;
other modules stay self-declared. The completion record says for every line which it was
and who confirmed it, and carries a code anyone can check on the public verification page.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from futuredoctor import audit
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    CompletionMethod,
    Enrolment,
    EnrolmentStatus,
    ModuleVersion,
    Progress,
    RecordCode,
    Release,
    ReleaseStatus,
    User,
    utcnow,
)
from futuredoctor.permissions import Permission, scope_pilots
from futuredoctor.refusals import Refusal

# Delivery modes whose completion needs a signed attendance register.
ATTENDED_MODES = frozenset({"workshop"})
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 12


def needs_register(version: ModuleVersion) -> bool:
    return version.delivery_mode in ATTENDED_MODES


@dataclass(frozen=True)
class RegisterLine:
    enrolment: Enrolment
    progress: Progress | None

    @property
    def attended(self) -> bool:
        p = self.progress
        return p is not None and p.completed_how == CompletionMethod.ATTENDANCE


def register(release: Release) -> list[RegisterLine]:
    """Everyone enrolled in the session's cohort, by name, with what is recorded; two
    queries whatever the cohort size."""
    enrolments = list(
        db.session.scalars(
            sa.select(Enrolment)
            .join(User, User.id == Enrolment.user_id)
            .where(
                Enrolment.cohort_id == release.cohort_id,
                Enrolment.status == EnrolmentStatus.ENROLLED,
            )
            .options(joinedload(Enrolment.user))
            .order_by(User.family_name, User.given_name, User.id)
        )
    )
    progress = {
        p.enrolment_id: p
        for p in db.session.scalars(sa.select(Progress).where(Progress.release_id == release.id))
    }
    return [RegisterLine(e, progress.get(e.id)) for e in enrolments]


def sign_off(release: Release, enrolment_ids: Sequence[int], signer: User) -> int:
    """Record the ticked people as having attended, and so completed, the session; returns
    how many were newly confirmed. Refused before the session, or for a self-paced module."""
    if not needs_register(release.module_version):
        raise Refusal(None, "This module is self-paced: participants mark it completed")
    if not release.is_released:
        raise Refusal(None, "You can sign the register once the session has been released")
    lines = {line.enrolment.id: line for line in register(release)}
    chosen = [lines[i] for i in dict.fromkeys(enrolment_ids) if i in lines]
    if not chosen:
        raise Refusal("attended", "Select everyone who attended the session")
    now, signed = utcnow(), 0
    for line in chosen:
        if line.attended:
            continue
        progress = line.progress
        if progress is None:
            progress = Progress(enrolment_id=line.enrolment.id, release_id=release.id)
            db.session.add(progress)
        progress.started_at = progress.started_at or now
        progress.completed_at = progress.completed_at or now
        progress.completed_how = CompletionMethod.ATTENDANCE
        progress.confirmed_by_id = signer.id
        signed += 1
    db.session.flush()
    audit.record("attendance.signed_off", actor=signer, target=release, confirmed=signed)
    return signed


def registers_for(user: User, module_id: int) -> list[Release]:
    """The sessions (releases of any version to a cohort) whose register ``user`` may sign,
    soonest first; one query."""
    stmt = (
        sa.select(Release)
        .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .where(ModuleVersion.module_id == module_id, Release.status == ReleaseStatus.SCHEDULED)
        .options(joinedload(Release.cohort), joinedload(Release.module_version))
        .order_by(Release.release_at)
    )
    return list(
        db.session.scalars(scope_pilots(stmt, user, Permission.SIGN_ATTENDANCE, Cohort.pilot_id))
    )


_CODE = sa.select(RecordCode.code).where(RecordCode.user_id == sa.bindparam("user_id"))


def record_code(user: User) -> str:
    """The person's verification code, made the first time their record is shown."""
    found = db.session.scalar(_CODE, {"user_id": user.id})
    if found:
        return found
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    db.session.add(RecordCode(user_id=user.id, code=code))
    db.session.flush()
    return code


def person_for_code(raw: str) -> User | None:
    """Whose record a code belongs to; None for an unknown or malformed code, or a closed
    account (its record is no longer vouched for)."""
    code = "".join(ch for ch in raw.upper() if ch in CODE_ALPHABET)
    if len(code) != CODE_LENGTH:
        return None
    user = db.session.scalar(
        sa.select(User)
        .join(RecordCode, RecordCode.user_id == User.id)
        .where(RecordCode.code == code)
    )
    return user if user is not None and user.is_active else None


def format_code(code: str) -> str:
    """Groups of four, easier to read aloud and type: ABCD-EFGH-JKLM."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
