"""Invitations not yet accepted, across the cohorts a pilot administrator manages."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from futuredoctor import audit
from futuredoctor.enrolment import pending_invitations
from futuredoctor.enrolment.blueprint import bp, pagination
from futuredoctor.enrolment.forms import ActionForm
from futuredoctor.extensions import limiter
from futuredoctor.models import utcnow
from futuredoctor.paging import page_number
from futuredoctor.permissions import Permission, actor, requires


def _cohort_filter(raw: str | None) -> int | None:
    """The chosen cohort's id, or None for all; anything else is a page that is not there."""
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        abort(404)
    return int(raw)


@bp.get("/pending-invitations")
@requires(Permission.MANAGE_ENROLMENT)
def pending_invitations_view() -> str:
    cohort_id = _cohort_filter(request.args.get("cohort"))
    cohorts = pending_invitations.cohorts_in_scope(actor())
    if cohort_id is not None and cohort_id not in {c.id for c in cohorts}:
        abort(404)
    page, rows = pending_invitations.pending_page(
        actor(), page_number(request.args.get("page")), cohort_id
    )
    return render_template(
        "enrolment/pending_invitations.html",
        page=page,
        rows=rows,
        pagination=pagination(page),
        cohorts=cohorts,
        cohort_id=cohort_id,
        form=ActionForm(),
        now=utcnow(),
        gap_hours=int(pending_invitations.BULK_RESEND_GAP.total_seconds() // 3600),
    )


@bp.post("/pending-invitations/resend")
@limiter.limit("30 per hour", methods=["POST"])
@requires(Permission.MANAGE_ENROLMENT)
def pending_invitations_resend() -> BaseResponse:
    if not ActionForm().validate_on_submit():
        abort(400)
    raw = request.form.getlist("enrolment_id")
    ids = [int(v) for v in raw if v.isascii() and v.isdigit() and 0 < len(v) < 10]
    kept: dict[str, Any] = {k: v for k, v in request.args.items() if k in {"cohort", "page"}}
    back = url_for("enrolment.pending_invitations_view", **kept)
    if not ids:
        flash("Choose at least one person to send a new invitation to.", "info")
        return redirect(back)
    outcome = pending_invitations.resend(actor(), ids)
    if outcome.sent:
        audit.record("invitation.resent_in_bulk", actor=actor(), sent=outcome.sent)
    parts = [f"Sent {outcome.sent} new invitation{'s' if outcome.sent != 1 else ''}."]
    if outcome.too_recent:
        parts.append(
            f"{outcome.too_recent} not sent: they had a link in the last "
            f"{pending_invitations.BULK_RESEND_GAP.total_seconds() // 3600:.0f} hours."
        )
    if outcome.not_pending:
        parts.append(f"{outcome.not_pending} no longer waiting (accepted or withdrawn).")
    flash(" ".join(parts), "success" if outcome.sent else "info")
    return redirect(back)
