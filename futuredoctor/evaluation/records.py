"""The export record: every export, web or API, audited when it starts, recorded with its
checksum when it completes (or audited as aborted), and every refused export audited; and
the national admins' view of the record."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app, stream_with_context
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from futuredoctor import audit
from futuredoctor.evaluation.package import PACKAGE_EXTRAS, PackageResult
from futuredoctor.evaluation.scope import ExportScope
from futuredoctor.extensions import db
from futuredoctor.metrics import EXPORT_SECONDS
from futuredoctor.models import ExportRecord, User
from futuredoctor.paging import Page, paginate
from futuredoctor.request_log import request_id
from futuredoctor.transactions import commit_streamed, keep_when_refused

CHANNELS = {"web": "Web", "api": "API"}


def record_export(
    user: User,
    channel: str,
    scope: ExportScope,
    result: PackageResult,
    file_name: str | None = None,
) -> ExportRecord:
    """Add the export record and its audit event (the caller commits)."""
    options = scope.record_options()
    options["files"] = (
        [file_name]
        if file_name
        else [*result.row_counts, *PACKAGE_EXTRAS, "MANIFEST"]
    )
    plan = scope.context.get("plan")
    if scope.kind == "participant" and plan is not None:
        options["k_anonymity"] = {"k": plan.k, "generalised": plan.report()}
    record = ExportRecord(
        user_id=user.id,
        channel=channel,
        scope=scope.record_scope(),
        options=options,
        row_counts=dict(result.row_counts),
        sha256=result.sha256,
        request_id=request_id(),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "export.downloaded",
        actor=user,
        target=record,
        channel=channel,
        scopes=", ".join(scope.record_scope()["scopes"]),
        dates=f"{scope.date_from.isoformat()} to {scope.date_to.isoformat()}",
        free_text=scope.include_free_text,
        file=file_name or "package",
        sha256=result.sha256,
    )
    return record


class ExportRun:
    """One export from its first byte to its last.

    Made before the response is returned, it audits ``export.started`` (committed by the
    request door before the body streams). The body then ends in one of two ways: the
    export record with its checksum, committed before the last bytes go (``complete``),
    or ``export.aborted`` when the client stops reading or the stream fails (``guard``).
    Records stay append-only: each step adds a row, none is changed.
    """

    def __init__(
        self, user: User, channel: str, scope: ExportScope, file_name: str | None = None
    ) -> None:
        self.user, self.channel, self.scope, self.file_name = user, channel, scope, file_name
        self.done = False
        self.started = time.perf_counter()
        audit.record("export.started", actor=user, **self._details())

    def _details(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "scopes": ", ".join(self.scope.record_scope()["scopes"]),
            "dates": f"{self.scope.date_from.isoformat()} to {self.scope.date_to.isoformat()}",
            "free_text": self.scope.include_free_text,
            "file": self.file_name or "package",
        }

    def complete(self, result: PackageResult) -> None:
        """The ``on_complete`` callback of the package and CSV streams."""
        try:
            record_export(self.user, self.channel, self.scope, result, self.file_name)
            commit_streamed()
        except Exception:
            current_app.logger.exception("Export record could not be written; export stopped")
            raise  # the download stays incomplete: nothing leaves unrecorded
        self.done = True
        self._observe("completed")

    def _observe(self, outcome: str) -> None:
        seconds = time.perf_counter() - self.started
        EXPORT_SECONDS.labels(self.channel, outcome).observe(seconds)

    def guard(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """Pass the chunks on; record an abort if they stop before ``complete`` ran."""
        try:
            yield from chunks
        finally:
            if not self.done:
                self._aborted()

    def _aborted(self) -> None:
        self._observe("aborted")
        try:
            audit.record("export.aborted", actor=self.user, **self._details())
            commit_streamed()
        except Exception:  # the abort itself must not hide why the stream stopped
            current_app.logger.exception("Could not record an aborted export")


def record_refusal(user: User, channel: str, reason: str, **details: Any) -> None:
    """An export someone asked for and did not get: kept although the request is refused."""
    audit.record("export.refused", actor=user, channel=channel, reason=reason, **details)
    keep_when_refused()


def download(chunks: Iterator[bytes], filename: str, mimetype: str) -> Response:
    """A streamed attachment; the request context lives until the last chunk is sent."""
    return Response(
        stream_with_context(chunks),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def list_exports(channel: str | None, person: str | None, number: int) -> Page:
    stmt = (
        sa.select(ExportRecord)
        .options(joinedload(ExportRecord.user))
        .order_by(ExportRecord.created_at.desc(), ExportRecord.id.desc())
    )
    if channel:
        stmt = stmt.where(ExportRecord.channel == channel)
    if person:
        stmt = stmt.join(User, User.id == ExportRecord.user_id).where(
            User.email.contains(person.strip().lower(), autoescape=True)
        )
    return paginate(stmt, number)


def summary(record: ExportRecord) -> dict[str, Any]:
    """What the export record page shows for one row."""
    scope = record.scope or {}
    options = record.options or {}
    files = options.get("files") or []
    return {
        "scopes": scope.get("labels") or scope.get("scopes") or [],
        "dates": tuple(
            date.fromisoformat(scope[key]) if scope.get(key) else None
            for key in ("date_from", "date_to")
        ),
        "free_text": bool(options.get("include_free_text")),
        "what": files[0] if len(files) == 1 else "Full package",
        "rows": sum((record.row_counts or {}).values()),
    }
