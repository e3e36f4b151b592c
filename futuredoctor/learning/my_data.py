"""'Download my data': everything held about a person as a zip of CSV and JSON files,
streamed in chunks so a long history never sits in memory whole."""

from __future__ import annotations

import csv
import enum
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import (
    AccountClosureRequest,
    AuditEvent,
    Cohort,
    ConsentRecord,
    ConsentStatement,
    Enrolment,
    FeedbackItem,
    Invitation,
    JoinRequest,
    Module,
    ModuleVersion,
    Notification,
    Pilot,
    Progress,
    Release,
    User,
)
from futuredoctor.spreadsheet import safe_cell

BATCH = 200

README = """Your data from the Future Doctor pilots platform
================================================

Each file comes twice: as CSV (opens in a spreadsheet) and as JSON (for other software).
Times are in UTC, in ISO 8601 format. In the CSV files, a cell that begins with = + - or @
starts with an apostrophe, so that spreadsheets show it as text instead of running it.

profile            your account details
role_grants        the roles you hold on the platform
enrolments         your places in pilot cohorts
consent_history    every research-consent decision you made, oldest first
invitations        invitations sent to you
join_requests      your requests to join cohorts
progress           modules you started or completed, with your private reflections
feedback           your feedback on modules
notifications      messages the platform sent you
audit_events       security-relevant actions you took (such as signing in)
closure_requests   your requests to close your account
"""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: list[str]
    rows: Callable[[User], Iterable[dict[str, Any]]]


def _stream(stmt: sa.Select[Any]) -> Iterator[Any]:
    yield from db.session.execute(stmt.execution_options(yield_per=BATCH))


def _profile(user: User) -> Iterable[dict[str, Any]]:
    yield {
        "email": user.email,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "professional_group": user.professional_group,
        "registration_body": user.registration_body,
        "registration_number": user.registration_number,
        "career_stage": user.career_stage,
        "employer": user.employer,
        "email_notifications": user.email_notifications,
        "digest_opt_out": user.digest_opt_out,
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
    }


def _grants(user: User) -> Iterable[dict[str, Any]]:
    for grant in sorted(user.grants, key=lambda g: g.granted_at):
        yield {"role": grant.role, "scope": grant.scope_label, "granted_at": grant.granted_at}


def _enrolments(user: User) -> Iterable[dict[str, Any]]:
    stmt = (
        sa.select(Enrolment, Cohort.slug, Cohort.name, Pilot.name)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Pilot, Pilot.id == Cohort.pilot_id)
        .where(Enrolment.user_id == user.id)
        .order_by(Enrolment.created_at)
    )
    for e, slug, cohort, pilot in _stream(stmt):
        yield {
            "cohort": slug, "cohort_name": cohort, "pilot": pilot, "status": e.status,
            "created_at": e.created_at, "enrolled_at": e.enrolled_at,
            "waitlisted_at": e.waitlisted_at, "withdrawn_at": e.withdrawn_at,
        }  # fmt: skip


def _consents(user: User) -> Iterable[dict[str, Any]]:
    stmt = (
        sa.select(ConsentRecord, Cohort.slug, ConsentStatement.version)
        .join(Enrolment, Enrolment.id == ConsentRecord.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(ConsentStatement, ConsentStatement.id == ConsentRecord.statement_id)
        .where(Enrolment.user_id == user.id)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    for record, cohort, version in _stream(stmt):
        yield {"cohort": cohort, "statement_version": version, "given": record.given,
               "recorded_at": record.recorded_at}  # fmt: skip


def _invitations(user: User) -> Iterable[dict[str, Any]]:
    stmt = (
        sa.select(Invitation, Cohort.slug)
        .join(Enrolment, Enrolment.id == Invitation.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.user_id == user.id)
        .order_by(Invitation.created_at)
    )
    for inv, cohort in _stream(stmt):
        yield {"cohort": cohort, "created_at": inv.created_at, "expires_at": inv.expires_at,
               "accepted_at": inv.accepted_at, "superseded_at": inv.superseded_at}  # fmt: skip


def _join_requests(user: User) -> Iterable[dict[str, Any]]:
    stmt = (
        sa.select(JoinRequest, Cohort.slug)
        .join(Cohort, Cohort.id == JoinRequest.cohort_id)
        .where(
            sa.or_(JoinRequest.user_id == user.id, sa.func.lower(JoinRequest.email) == user.email)
        )
        .order_by(JoinRequest.created_at)
    )
    for r, cohort in _stream(stmt):
        yield {
            "cohort": cohort, "email": r.email, "given_name": r.given_name,
            "family_name": r.family_name, "professional_group": r.professional_group,
            "registration_body": r.registration_body, "registration_number": r.registration_number,
            "career_stage": r.career_stage, "employer": r.employer, "message": r.message,
            "status": r.status, "decided_at": r.decided_at, "decision_reason": r.decision_reason,
            "created_at": r.created_at,
        }  # fmt: skip


def _progress(user: User) -> Iterable[dict[str, Any]]:
    stmt = (
        sa.select(Progress, Module.slug, ModuleVersion.number, ModuleVersion.title, Cohort.slug)
        .join(Enrolment, Enrolment.id == Progress.enrolment_id)
        .join(Release, Release.id == Progress.release_id)
        .join(ModuleVersion, ModuleVersion.id == Release.module_version_id)
        .join(Module, Module.id == ModuleVersion.module_id)
        .join(Cohort, Cohort.id == Release.cohort_id)
        .where(Enrolment.user_id == user.id)
        .order_by(Progress.id)
    )
    for p, slug, number, title, cohort in _stream(stmt):
        yield {
            "module": slug, "version": number, "title": title, "cohort": cohort,
            "started_at": p.started_at, "completed_at": p.completed_at,
            "reflection": p.reflection, "reflection_updated_at": p.reflection_updated_at,
        }  # fmt: skip


def _feedback(user: User) -> Iterable[dict[str, Any]]:
    stmt = (
        sa.select(FeedbackItem, Module.slug, ModuleVersion.number)
        .join(Enrolment, Enrolment.id == FeedbackItem.enrolment_id)
        .join(ModuleVersion, ModuleVersion.id == FeedbackItem.module_version_id)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(Enrolment.user_id == user.id)
        .order_by(FeedbackItem.created_at, FeedbackItem.id)
    )
    for f, slug, number in _stream(stmt):
        yield {
            "module": slug, "version": number, "relevance": f.relevance, "quality": f.quality,
            "applicability": f.applicability, "text": f.text, "status": f.status,
            "notify_on_action": f.notify_on_action, "created_at": f.created_at,
            "updated_at": f.updated_at,
        }  # fmt: skip


def _notifications(user: User) -> Iterable[dict[str, Any]]:
    stmt = (
        sa.select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at, Notification.id)
    )
    for (n,) in _stream(stmt):
        yield {"kind": n.kind, "title": n.title, "body": n.body, "created_at": n.created_at,
               "sent_at": n.sent_at, "read_at": n.read_at}  # fmt: skip


def _audit(user: User) -> Iterable[dict[str, Any]]:
    stmt = (
        sa.select(AuditEvent)
        .where(AuditEvent.actor_id == user.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    for (e,) in _stream(stmt):
        yield {"occurred_at": e.occurred_at, "action": e.action, "target_type": e.target_type,
               "target_id": e.target_id, "ip_address": e.ip_address,
               "details": json.dumps(e.details or {}, sort_keys=True)}  # fmt: skip


def _closures(user: User) -> Iterable[dict[str, Any]]:
    stmt = (
        sa.select(AccountClosureRequest)
        .where(AccountClosureRequest.user_id == user.id)
        .order_by(AccountClosureRequest.requested_at)
    )
    for (r,) in _stream(stmt):
        yield {"requested_at": r.requested_at, "reason": r.reason,
               "processed_at": r.processed_at, "outcome": r.outcome, "note": r.note}  # fmt: skip


DATASETS = [
    Dataset("profile", ["email", "given_name", "family_name", "professional_group",
                        "registration_body", "registration_number", "career_stage", "employer",
                        "email_notifications", "digest_opt_out", "created_at", "last_login_at"],
            _profile),
    Dataset("role_grants", ["role", "scope", "granted_at"], _grants),
    Dataset("enrolments", ["cohort", "cohort_name", "pilot", "status", "created_at",
                           "enrolled_at", "waitlisted_at", "withdrawn_at"], _enrolments),
    Dataset("consent_history", ["cohort", "statement_version", "given", "recorded_at"], _consents),
    Dataset("invitations", ["cohort", "created_at", "expires_at", "accepted_at", "superseded_at"],
            _invitations),
    Dataset("join_requests", ["cohort", "email", "given_name", "family_name",
                              "professional_group", "registration_body", "registration_number",
                              "career_stage", "employer", "message", "status", "decided_at",
                              "decision_reason", "created_at"], _join_requests),
    Dataset("progress", ["module", "version", "title", "cohort", "started_at", "completed_at",
                         "reflection", "reflection_updated_at"], _progress),
    Dataset("feedback", ["module", "version", "relevance", "quality", "applicability", "text",
                         "status", "notify_on_action", "created_at", "updated_at"], _feedback),
    Dataset("notifications", ["kind", "title", "body", "created_at", "sent_at", "read_at"],
            _notifications),
    Dataset("audit_events", ["occurred_at", "action", "target_type", "target_id", "ip_address",
                             "details"], _audit),
    Dataset("closure_requests", ["requested_at", "reason", "processed_at", "outcome", "note"],
            _closures),
]  # fmt: skip


class _Chunks(io.RawIOBase):
    """An unseekable sink: zipfile writes into it, the generator hands out what is there."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def zip_chunks(user_id: int) -> Iterator[bytes]:
    """The zip, chunk by chunk: a CSV and a JSON file per dataset, and a README.

    Takes an id, not a User: the generator runs after the view has returned, when objects
    loaded by the view may no longer belong to a session."""
    user = db.session.get(User, user_id)
    if user is None:
        return
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        for dataset in DATASETS:
            with archive.open(f"{dataset.name}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow(dataset.columns)
                for count, row in enumerate(dataset.rows(user), start=1):
                    writer.writerow([safe_cell(_plain(row.get(c))) for c in dataset.columns])
                    if count % BATCH == 0:
                        text.flush()
                        yield sink.take()
                text.flush()
                text.detach()
            yield sink.take()
            with archive.open(f"{dataset.name}.json", "w") as raw:
                raw.write(b"[")
                for count, row in enumerate(dataset.rows(user)):
                    item = {c: _plain(row.get(c)) for c in dataset.columns}
                    raw.write((",\n " if count else "\n ").encode())
                    raw.write(json.dumps(item, ensure_ascii=False).encode("utf-8"))
                    if count % BATCH == BATCH - 1:
                        yield sink.take()
                raw.write(b"\n]\n")
            yield sink.take()
    yield sink.take()
