"""Refuse updates and deletes of append-only records at the ORM level."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from futuredoctor.models.audit import AuditEvent
from futuredoctor.models.enrolment import ConsentRecord
from futuredoctor.models.export import ExportRecord

# Consent records are the history of each person's choices: a change is a new record.
APPEND_ONLY = (AuditEvent, ConsentRecord, ExportRecord)


class AppendOnlyError(RuntimeError):
    """An attempt to change or remove a record that may only ever be added."""


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{type(obj).__name__} records are append-only")
