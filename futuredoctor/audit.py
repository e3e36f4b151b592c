"""Writing audit events: one helper so every security-relevant action is logged alike."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from futuredoctor.extensions import db
from futuredoctor.models import AuditEvent, User
from futuredoctor.request_log import request_id


def record(
    action: str,
    *,
    actor: User | None = None,
    target: Any = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the session (the caller commits with its own work)."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        target_type=type(target).__name__ if target is not None else None,
        target_id=str(target.id) if target is not None else None,
        ip_address=request.remote_addr if has_request_context() else None,
        details=details,
        request_id=request_id(),
    )
    db.session.add(event)
    db.session.flush()
    return event
