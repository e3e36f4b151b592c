"""The person's account page, "download my data" and the request to close the account."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, stream_with_context, url_for
from werkzeug.wrappers import Response as BaseResponse

from futuredoctor.learning import account
from futuredoctor.learning.blueprint import bp
from futuredoctor.learning.forms import ActionForm, ClosureForm
from futuredoctor.learning.journey import enrolments_of
from futuredoctor.learning.my_data import zip_chunks
from futuredoctor.models import utcnow
from futuredoctor.permissions import Permission, actor, has_permission, requires, signed_in
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.timezones import to_local
from futuredoctor.transactions import retry_on_conflict


@bp.get("/account")
@signed_in
def account_page() -> str:
    me = actor()
    participant = has_permission(me, Permission.TAKE_MODULES)
    return render_template(
        "learning/account.html",
        person=me,
        participant=participant,
        enrolments=enrolments_of(me) if participant else [],
        pending=account.pending_closure(me) if participant else None,
        settled=account.latest_settled(me) if participant else None,
        action_form=ActionForm(),
    )


@bp.post("/account/download-my-data")
@requires(Permission.TAKE_MODULES)
def download_my_data() -> BaseResponse:
    """A POST, so a link preview or prefetch never starts a download; the request door
    commits the audit event before the first byte is sent."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("learning.account_page"))
    me = actor()
    account.record_download(me)
    stamp = to_local(utcnow())
    filename = f"future-doctor-my-data-{stamp:%Y-%m-%d}.zip"
    response = Response(stream_with_context(zip_chunks(me.id)), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/close", methods=["GET", "POST"])
@requires(Permission.TAKE_MODULES)
def close_account() -> BaseResponse | tuple[str, int]:
    me = actor()
    pending = account.pending_closure(me)
    form = ClosureForm()
    if pending is None and form.validate_on_submit():
        try:
            # A second submission that won the race leaves one request pending: fine.
            retry_on_conflict(lambda: account.request_closure(me, form.reason.data))
        except Refusal as refusal:
            show_refusal(form, refusal, "reason")
        if not form.reason.errors:
            flash(
                "Your request to close your account is sent. A national administrator will "
                "handle it and email you.",
                "success",
            )
            return redirect(url_for("learning.account_page"))
    elif pending is not None and form.is_submitted():
        flash("You already have a request to close your account waiting.", "info")
        return redirect(url_for("learning.account_page"))
    status = 400 if form.errors else 200
    return render_template("learning/close_account.html", form=form, pending=pending), status
