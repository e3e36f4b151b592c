"""National admin: the email outbox page, with retry and discard buttons.

Registered on the admin blueprint from a file of its own. Views never commit: the request
door commits a request that succeeded and rolls back one that was refused.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.admin import outbox
from futuredoctor.admin.forms import ActionForm
from futuredoctor.admin.views import bp
from futuredoctor.models import Notification
from futuredoctor.paging import page_number, pagination_params
from futuredoctor.permissions import Permission, actor, requires
from futuredoctor.refusals import Refusal
from futuredoctor.releases.notify import failing_releases


def _page_arg() -> str | None:
    """The page the button was pressed on, so the admin comes back to it."""
    page = request.form.get("page", "")
    return page if page.isascii() and page.isdigit() and 1 < int(page) < 10**9 else None


def _render(problem: str | None = None, status: int = 200) -> tuple[str, int]:
    page = outbox.problems(page_number(request.args.get("page") or _page_arg()))
    return (
        render_template(
            "admin/outbox.html",
            page=page,
            pagination=pagination_params(
                page, lambda number: url_for("admin.outbox", page=str(number))
            ),
            outbox=outbox,
            queued=outbox.queued_count(),
            failing_releases=failing_releases(),
            problem=problem,
        ),
        status,
    )


@bp.get("/outbox", endpoint="outbox")
@requires(Permission.MANAGE_OUTBOX)
def outbox_page() -> tuple[str, int]:
    return _render()


def _act(notification_id: int, action: str) -> tuple[str, int] | Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    notification: Notification | None = outbox.get(notification_id)
    if notification is None:
        abort(404)
    try:
        if action == "retry":
            outbox.retry(notification, actor())
            flash(f"The email to {notification.recipient.email} will be tried again.", "success")
        else:
            outbox.discard(notification, actor())
            flash(f"The email to {notification.recipient.email} was discarded.", "success")
    except Refusal as refusal:
        return _render(refusal.message, 400)
    return redirect(url_for("admin.outbox", page=_page_arg()))


@bp.post("/outbox/<int:notification_id>/retry")
@requires(Permission.MANAGE_OUTBOX)
def outbox_retry(notification_id: int) -> tuple[str, int] | Response:
    return _act(notification_id, "retry")


@bp.post("/outbox/<int:notification_id>/discard")
@requires(Permission.MANAGE_OUTBOX)
def outbox_discard(notification_id: int) -> tuple[str, int] | Response:
    return _act(notification_id, "discard")
