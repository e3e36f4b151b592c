"""A person's private calendar feed: make an address, revoke it, and the feed itself
(opened by calendar apps with no session, so the token in the address is the key)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from futuredoctor.community import calendar_files
from futuredoctor.community.blueprint import bp
from futuredoctor.form_fields import SafeForm
from futuredoctor.permissions import actor, public, signed_in


class FeedForm(SafeForm):
    """Only the CSRF token: the buttons carry no data."""


@bp.get("/calendar")
@signed_in
def calendar_page() -> str:
    return render_template(
        "community/calendar.html",
        form=FeedForm(),
        has_feed=calendar_files.has_feed(actor()),
        token=None,
    )


@bp.post("/calendar/feed")
@signed_in
def calendar_feed_new() -> tuple[str, int] | str:
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    token = calendar_files.new_feed(actor())
    return render_template("community/calendar.html", form=FeedForm(), has_feed=True, token=token)


@bp.post("/calendar/feed/revoke")
@signed_in
def calendar_feed_revoke() -> BaseResponse:
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    calendar_files.revoke_feeds(actor())
    flash("Your calendar feed address no longer works.", "success")
    return redirect(url_for("community.calendar_page"))


@bp.get("/calendar/<token>.ics")
@public
def calendar_feed(token: str) -> Response:
    owner = calendar_files.feed_owner(token)
    if owner is None:
        abort(404)
    return Response(calendar_files.feed_file(owner), mimetype="text/calendar")
