"""Research consent: a versioned statement and an append-only history of choices.

Taking part in a pilot never depends on research consent; the choice only decides whether
a participant's records may be used, pseudonymised, by the evaluation team. The newest
record per enrolment is the current choice; older ones are kept as history.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from futuredoctor import audit
from futuredoctor.extensions import db
from futuredoctor.models import (
    Cohort,
    ConsentRecord,
    ConsentStatement,
    Enrolment,
    EnrolmentStatus,
    User,
    utcnow,
)

# The wording published as version 1 when no statement has been published yet.
FIRST_STATEMENT = (
    "I agree that my enrolment, progress and feedback records may be used, under a study "
    "code and without my name, email or registration number, by the academic team "
    "evaluating the Future Doctor pilots. I can withdraw this consent at any time without "
    "affecting my place in the pilot."
)


def current_statement() -> ConsentStatement:
    """The newest statement in force; version 1 is published on first use."""
    statement = db.session.scalar(
        sa.select(ConsentStatement)
        .where(ConsentStatement.effective_from <= utcnow())
        .order_by(ConsentStatement.version.desc())
        .limit(1)
    )
    if statement is None:
        statement = ConsentStatement(version=1, body=FIRST_STATEMENT)
        db.session.add(statement)
        db.session.flush()
    return statement


def current_choices(enrolment_ids: Iterable[int]) -> dict[int, ConsentRecord]:
    """The newest record per enrolment, in one query."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    newest = (
        sa.select(ConsentRecord.enrolment_id, sa.func.max(ConsentRecord.id).label("id"))
        .where(ConsentRecord.enrolment_id.in_(ids))
        .group_by(ConsentRecord.enrolment_id)
        .subquery()
    )
    stmt = (
        sa.select(ConsentRecord)
        .join(newest, newest.c.id == ConsentRecord.id)
        .options(joinedload(ConsentRecord.statement))
    )
    return {record.enrolment_id: record for record in db.session.scalars(stmt)}


def record_choice(enrolment: Enrolment, given: bool, actor: User) -> ConsentRecord | None:
    """Add a record for this choice against the current statement; None if it changes
    nothing (same choice, same statement), so a repeated submission adds no history."""
    statement = current_statement()
    current = current_choices([enrolment.id]).get(enrolment.id)
    if current is not None and current.given == given and current.statement_id == statement.id:
        return None
    record = ConsentRecord(enrolment=enrolment, statement=statement, given=given)
    db.session.add(record)
    db.session.flush()
    audit.record(
        "consent.given" if given else "consent.declined",
        actor=actor,
        target=enrolment,
        statement_version=statement.version,
    )
    return record


def participant_enrolments(user: User) -> list[Enrolment]:
    """The user's enrolments that a consent choice applies to (not withdrawn)."""
    stmt = (
        sa.select(Enrolment)
        .where(Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .options(joinedload(Enrolment.cohort).joinedload(Cohort.pilot))
        .order_by(Enrolment.created_at, Enrolment.id)
    )
    return list(db.session.scalars(stmt))


def history(enrolment_ids: Iterable[int]) -> dict[int, list[ConsentRecord]]:
    """Every record per enrolment, newest first, in one query."""
    ids = list(enrolment_ids)
    found: dict[int, list[ConsentRecord]] = {i: [] for i in ids}
    if not ids:
        return found
    stmt = (
        sa.select(ConsentRecord)
        .where(ConsentRecord.enrolment_id.in_(ids))
        .options(joinedload(ConsentRecord.statement))
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
    )
    for record in db.session.scalars(stmt):
        found[record.enrolment_id].append(record)
    return found
