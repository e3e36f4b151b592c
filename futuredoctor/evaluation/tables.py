"""One streaming row generator per CSV file.

Every generator runs one query and reads it in batches (``yield_per``: a server-side cursor
on PostgreSQL), so memory does not grow with the number of rows, and query counts do not
grow either: tags and GPC domains are aggregated in SQL. Only enrolments whose research
consent is current at ``scope.as_of`` appear, judged the same way for every file. The
columns selected never include names, emails, registration numbers or reflections.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from futuredoctor.evaluation.kanonymity import Plan, make_plan
from futuredoctor.evaluation.pseudonyms import pseudonym
from futuredoctor.evaluation.schema import CAREER_STAGES, PROFESSIONAL_GROUPS, UNKNOWN
from futuredoctor.evaluation.scope import ExportScope
from futuredoctor.evaluation.stored_redaction import ensure_current
from futuredoctor.extensions import db
from futuredoctor.models import (
    CodesignAttendee,
    CodesignSession,
    Cohort,
    ConsentRecord,
    ConsentStatement,
    Enrolment,
    FeedbackItem,
    FeedbackStatusChange,
    FeedbackTag,
    Module,
    ModuleVersion,
    Pilot,
    Progress,
    Region,
    Release,
    User,
    feedback_item_tag,
)
from futuredoctor.timezones import local_zone

BATCH = 2_000
Row = tuple[Any, ...]


def _stream(stmt: sa.Select[Any]) -> Iterator[Any]:
    return iter(db.session.execute(stmt.execution_options(yield_per=BATCH)))


def utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def uk_date_text(value: datetime | None) -> str | None:
    return value.astimezone(local_zone()).date().isoformat() if value is not None else None


def _date_text(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _group(value: str | None) -> str:
    return value if value in PROFESSIONAL_GROUPS else UNKNOWN


def _stage(value: str | None) -> str:
    return value if value in CAREER_STAGES else UNKNOWN


def _joined(column: Any) -> Any:
    """Values of ``column`` joined with semicolons, in whichever way the database spells it."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.string_agg(column, aggregate_order_by(sa.literal_column("';'"), column))
    return sa.func.group_concat(column, ";")


def _sorted_list(text: str | None, key: Callable[[str], Any] | None = None) -> str | None:
    return ";".join(sorted(text.split(";"), key=key)) if text else None


def current_consent(scope: ExportScope) -> Any:
    """Each enrolment's newest consent record as at ``as_of``, where it was given."""
    newer = aliased(ConsentRecord)
    later = sa.or_(
        newer.recorded_at > ConsentRecord.recorded_at,
        sa.and_(newer.recorded_at == ConsentRecord.recorded_at, newer.id > ConsentRecord.id),
    )
    superseded = sa.exists().where(
        newer.enrolment_id == ConsentRecord.enrolment_id, newer.recorded_at <= scope.as_of, later
    )
    return (
        sa.select(
            ConsentRecord.enrolment_id,
            ConsentRecord.statement_id,
            ConsentRecord.recorded_at,
        )
        .where(
            ConsentRecord.recorded_at <= scope.as_of,
            ConsentRecord.given.is_(True),
            ~superseded,
        )
        .subquery("current_consent")
    )


def in_range(column: Any, scope: ExportScope) -> sa.ColumnElement[bool]:
    return sa.and_(column >= scope.start, column < scope.end)


def _cohorts_in_scope(scope: ExportScope) -> sa.Select[Any]:
    return sa.select(Cohort.id).where(Cohort.pilot_id.in_(scope.pilot_ids()))


def k_plan(scope: ExportScope) -> Plan:
    """The package's k-anonymity plan, worked out on first use."""
    if "plan" not in scope.context:
        scope.context["plan"] = make_plan(scope)
    plan: Plan = scope.context["plan"]
    return plan


def participants_select(scope: ExportScope, consent: Any, *columns: Any) -> sa.Select[Any]:
    """Enrolments in the scope whose research consent (``current_consent``) is current."""
    return (
        sa.select(*columns)
        .select_from(Enrolment)
        .join(consent, consent.c.enrolment_id == Enrolment.id)
        .join(ConsentStatement, ConsentStatement.id == consent.c.statement_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(Region, Region.id == Pilot.region_id)
        .join(User, User.id == Enrolment.user_id)
        .where(Cohort.pilot_id.in_(scope.pilot_ids()))
    )


def participants_query(scope: ExportScope) -> sa.Select[Any]:
    consent = current_consent(scope)
    return participants_select(
        scope,
        consent,
        Enrolment.user_id,
        Region.code,
        Pilot.slug,
        Cohort.slug,
        User.professional_group,
        User.career_stage,
        Enrolment.status,
        Enrolment.enrolled_at,
        Enrolment.withdrawn_at,
        ConsentStatement.version,
        consent.c.recorded_at,
    ).order_by(Enrolment.id)


def participants(scope: ExportScope, secret: bytes) -> Iterator[Row]:
    plan = k_plan(scope)
    for r in _stream(participants_query(scope)):
        if not plan.keeps(r[0], r[3]):
            continue
        dates = (uk_date_text(r[7]), uk_date_text(r[8]), uk_date_text(r[10]))
        group, stage, enrolled, withdrawn, consented = plan.generalise(
            _group(r[4]), _stage(r[5]), dates
        )
        yield (
            pseudonym(secret, r[0]),
            *r[1:4],
            group,
            stage,
            r[6].value,
            enrolled,
            withdrawn,
            r[9],
            consented,
        )


def modules(scope: ExportScope, secret: bytes) -> Iterator[Row]:
    stmt = (
        sa.select(
            ModuleVersion.id,
            Module.slug,
            ModuleVersion.number,
            ModuleVersion.title,
            ModuleVersion.published_at,
            ModuleVersion.estimated_minutes,
            ModuleVersion.delivery_mode,
            ModuleVersion.changelog,
        )
        .join(Module, Module.id == ModuleVersion.module_id)
        .order_by(ModuleVersion.id)
    )
    for r in _stream(stmt):
        yield (r[0], r[1], r[2], r[3], utc_text(r[4]), r[5], r[6], r[7] or None)


def releases(scope: ExportScope, secret: bytes) -> Iterator[Row]:
    stmt = (
        sa.select(
            Release.id,
            Release.module_version_id,
            Module.slug,
            ModuleVersion.number,
            Region.code,
            Pilot.slug,
            Cohort.slug,
            Release.release_at,
            Release.status,
            Release.withdrawn_at,
        )
        .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
        .join(Module, Module.id == ModuleVersion.module_id)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(Region, Region.id == Pilot.region_id)
        .where(Cohort.pilot_id.in_(scope.pilot_ids()))
        .order_by(Release.id)
    )
    for r in _stream(stmt):
        withdrawn = r[9] is not None and r[9] <= scope.as_of
        released = r[7] <= scope.as_of and not withdrawn
        yield (*r[:7], utc_text(r[7]), r[8].value, utc_text(r[9]), released)


def progress_select(scope: ExportScope, *columns: Any) -> sa.Select[Any]:
    """Progress through releases in the scope, started or completed in the date range, of
    participants whose research consent is current."""
    consent = current_consent(scope)
    return (
        sa.select(*columns)
        .select_from(Progress)
        .join(Enrolment, Enrolment.id == Progress.enrolment_id)
        .join(consent, consent.c.enrolment_id == Enrolment.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .join(Region, Region.id == Pilot.region_id)
        .join(Release, Release.id == Progress.release_id)
        .where(
            Cohort.pilot_id.in_(scope.pilot_ids()),
            Release.cohort_id.in_(_cohorts_in_scope(scope)),
            sa.or_(in_range(Progress.started_at, scope), in_range(Progress.completed_at, scope)),
        )
    )


def progress_query(scope: ExportScope) -> sa.Select[Any]:
    return progress_select(
        scope,
        Enrolment.user_id,
        Region.code,
        Pilot.slug,
        Cohort.slug,
        Progress.release_id,
        Release.module_version_id,
        Progress.started_at,
        Progress.completed_at,
    ).order_by(Progress.id)


def progress(scope: ExportScope, secret: bytes) -> Iterator[Row]:
    plan = k_plan(scope)
    for r in _stream(progress_query(scope)):
        if plan.keeps(r[0], r[3]):
            started, completed = (plan.date(uk_date_text(r[i])) for i in (6, 7))
            yield (pseudonym(secret, r[0]), *r[1:6], started, completed)


# The pilot (and its region) a feedback item came from: its cohort's, its session's, or
# the one it was entered for on someone's behalf.
ITEM_PILOT = aliased(Pilot, name="item_pilot")
ITEM_REGION = aliased(Region, name="item_region")


def feedback_select(scope: ExportScope, *columns: Any) -> sa.Select[Any]:
    """Feedback given in the date range within the scope: from consenting participants, or
    not from a participant at all (co-design sessions, educators, the public)."""
    consent = current_consent(scope)
    item_pilot = sa.func.coalesce(Cohort.pilot_id, CodesignSession.pilot_id, FeedbackItem.pilot_id)
    return (
        sa.select(*columns)
        .select_from(FeedbackItem)
        .outerjoin(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .outerjoin(CodesignSession, CodesignSession.id == FeedbackItem.codesign_session_id)
        .outerjoin(ITEM_PILOT, ITEM_PILOT.id == item_pilot)
        .outerjoin(ITEM_REGION, ITEM_REGION.id == ITEM_PILOT.region_id)
        .outerjoin(consent, consent.c.enrolment_id == FeedbackItem.enrolment_id)
        .where(
            item_pilot.in_(scope.pilot_ids()),
            in_range(FeedbackItem.created_at, scope),
            sa.or_(FeedbackItem.enrolment_id.is_(None), consent.c.enrolment_id.is_not(None)),
        )
    )


def tags_of_feedback() -> Any:
    """A feedback item's tag names joined with semicolons (a correlated subquery)."""
    return (
        sa.select(_joined(FeedbackTag.name))
        .join(feedback_item_tag, feedback_item_tag.c.tag_id == FeedbackTag.id)
        .where(feedback_item_tag.c.feedback_item_id == FeedbackItem.id)
        .scalar_subquery()
    )


def feedback_columns(scope: ExportScope) -> list[Any]:
    """The columns feedback.csv is built from (the benchmark copies the same ones)."""
    tags = tags_of_feedback()
    columns = [
        FeedbackItem.id,
        FeedbackItem.module_version_id,
        FeedbackItem.source,
        Enrolment.user_id,
        ITEM_REGION.code,
        ITEM_PILOT.slug,
        Cohort.slug,
        FeedbackItem.codesign_session_id,
        FeedbackItem.relevance,
        FeedbackItem.quality,
        FeedbackItem.applicability,
        FeedbackItem.status,
        FeedbackItem.addressed_by_version_id,
        tags,
        FeedbackItem.created_at,
        FeedbackItem.pilot_id.is_not(None),  # entered on someone's behalf
        FeedbackItem.contributor_id.is_not(None),  # from a recorded public contributor
    ]
    if scope.wants_text("feedback"):
        columns += [
            FeedbackItem.text_redacted,
            FeedbackItem.status_reason_redacted,
            FeedbackItem.has_redactions,
        ]
    return columns


def texts_current(scope: ExportScope, table: str) -> bool:
    """Whether the package shows ``table``'s free text; if so, bring every stale stored
    redaction up to date first (once per package), so what is read is always current."""
    if not scope.wants_text(table):
        return False
    if not scope.context.get("texts_current"):
        ensure_current()
        scope.context["texts_current"] = True
    return True


def feedback_query(scope: ExportScope) -> sa.Select[Any]:
    return feedback_select(scope, *feedback_columns(scope)).order_by(FeedbackItem.id)


def feedback(scope: ExportScope, secret: bytes) -> Iterator[Row]:
    text = texts_current(scope, "feedback")
    plan = k_plan(scope)
    for r in _stream(feedback_query(scope)):
        if not plan.keeps(r[3], r[6]):
            continue
        person = pseudonym(secret, r[3]) if r[3] is not None else None
        row = (
            r[0],
            r[1],
            r[2].value,
            person,
            *r[4:11],
            r[11].value,
            r[12],
            _sorted_list(r[13]),
            plan.date(uk_date_text(r[14])),
            bool(r[15]),
            bool(r[16]),
        )
        yield row + (tuple(r[17:20]) if text else (None, None, None))


def exported_feedback(scope: ExportScope, cohort_ids: list[int] | None = None) -> Any:
    """The feedback items feedback.csv holds, with where they came from and who gave them
    (only those given in ``cohort_ids``, when named)."""
    stmt = feedback_select(
        scope,
        FeedbackItem.id.label("feedback_id"),
        ITEM_REGION.code.label("region"),
        ITEM_PILOT.slug.label("pilot"),
        Enrolment.user_id.label("user_id"),
        Cohort.slug.label("cohort"),
    )
    if cohort_ids is not None:
        stmt = stmt.where(Cohort.id.in_(cohort_ids))
    return stmt.subquery("exported")


def actions(scope: ExportScope, secret: bytes) -> Iterator[Row]:
    exported = exported_feedback(scope)
    step = sa.func.row_number().over(
        partition_by=FeedbackStatusChange.feedback_item_id,
        order_by=(FeedbackStatusChange.changed_at, FeedbackStatusChange.id),
    )
    columns = [
        FeedbackStatusChange.id,
        FeedbackStatusChange.feedback_item_id,
        exported.c.region,
        exported.c.pilot,
        step,
        FeedbackStatusChange.status,
        FeedbackStatusChange.changed_at,
        FeedbackItem.module_version_id,
        FeedbackItem.addressed_by_version_id,
        exported.c.user_id,
        exported.c.cohort,
    ]
    text = texts_current(scope, "actions")
    if text:
        columns += [FeedbackStatusChange.note_redacted, FeedbackStatusChange.has_redactions]
    stmt = (
        sa.select(*columns)
        .join(FeedbackItem, FeedbackItem.id == FeedbackStatusChange.feedback_item_id)
        .join(exported, exported.c.feedback_id == FeedbackItem.id)
        .order_by(FeedbackStatusChange.feedback_item_id, step)
    )
    plan = k_plan(scope)
    for r in _stream(stmt):
        if not plan.keeps(r[9], r[10]):
            continue
        head = (*r[:5], r[5].value, plan.date(uk_date_text(r[6])), r[7], r[8])
        yield (*head, *(r[11:13] if text else (None, None)))


def _referenced(scope: ExportScope, session: Any) -> sa.ColumnElement[bool]:
    """Whether feedback.csv holds feedback from ``session`` (an alias of CodesignSession):
    an ``EXISTS`` probing that session's items by index, instead of listing the sessions
    of every exported item (which reads the whole feedback join when few come from one)."""
    return (
        feedback_select(scope, sa.literal(1))
        .where(FeedbackItem.codesign_session_id == session.id)
        .correlate(session)
        .exists()
    )


def sessions(scope: ExportScope, secret: bytes) -> Iterator[Row]:
    session = aliased(CodesignSession, name="held_session")
    columns = [
        session.id,
        Region.code,
        Pilot.slug,
        session.held_on,
        session.title,
        session.participants_count,
        session.educators_count,
        session.patients_public_count,
        session.other_professionals_count,
        recorded_contributors(session),
    ]
    text = texts_current(scope, "sessions")
    if text:
        columns += [session.notes_redacted, session.has_redactions]
    held = sa.and_(
        session.pilot_id.in_(scope.pilot_ids()),
        session.held_on >= scope.date_from,
        session.held_on <= scope.date_to,
    )
    stmt = (
        sa.select(*columns)
        .select_from(session)
        .join(Pilot, Pilot.id == session.pilot_id)
        .join(Region, Region.id == Pilot.region_id)
        .where(sa.or_(held, _referenced(scope, session)))
        .order_by(session.id)
    )
    for r in _stream(stmt):
        notes = tuple(r[10:12]) if text else (None, None)
        yield (r[0], r[1], r[2], _date_text(r[3]), *r[4:10], *notes)


def recorded_contributors(session: Any) -> Any:
    """How many of a session's listed attendees are recorded public contributors (a count:
    who they are never leaves the platform)."""
    return (
        sa.select(sa.func.count(CodesignAttendee.id))
        .where(
            CodesignAttendee.session_id == session.id,
            CodesignAttendee.contributor_id.is_not(None),
        )
        .correlate(session)
        .scalar_subquery()
    )


TABLE_ROWS: dict[str, Callable[[ExportScope, bytes], Iterator[Row]]] = {
    "participants": participants,
    "modules": modules,
    "releases": releases,
    "progress": progress,
    "sessions": sessions,
    "feedback": feedback,
    "actions": actions,
}
# The query each file written by COPY on PostgreSQL runs when written in Python: the same
# rows with their stored values (the benchmark's baseline copies these).
WRITER_QUERIES: dict[str, Callable[[ExportScope], sa.Select[Any]]] = {
    "participants": participants_query,
    "progress": progress_query,
    "feedback": feedback_query,
}
