"""Following in the trailblazer network: follow and unfollow buttons (on the list and a
post), and the Following page with what one follows and the posts matching it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.community import follows
from futuredoctor.community.blueprint import bp, pagination
from futuredoctor.community.network_forms import FollowForm
from futuredoctor.content.choices import content_choices
from futuredoctor.paging import page_number
from futuredoctor.permissions import actor, signed_in
from futuredoctor.refusals import Refusal


def _back(raw: str | None) -> str:
    """Where the button was pressed: a network page on this site, else Following."""
    if raw and raw.startswith("/network") and "//" not in raw and "\\" not in raw:
        return raw
    return url_for("community.network_following")


@bp.post("/network/follow")
@signed_in
def network_follow() -> Response:
    form = FollowForm()
    back = _back(form.next.data)
    if not form.validate_on_submit():
        flash("Choose something to follow from the network.", "warning")
        return redirect(back)
    kind = follows.parse_kind(form.kind.data or "")
    value = form.value.data or ""
    if form.undo.data:
        follows.unfollow(actor(), kind, value)
        flash("You no longer follow it.", "success")
    else:
        try:
            label = follows.follow(actor(), kind, value)
        except Refusal as refusal:
            flash(refusal.message, "warning")
            return redirect(back)
        flash(f"You follow {label}. Matching posts are on your Following page.", "success")
    return redirect(back)


@bp.get("/network/following")
@signed_in
def network_following() -> str:
    user = actor()
    page = follows.feed(user, page_number(request.args.get("page")))
    return render_template(
        "community/following.html",
        followed=follows.followed(user),
        kind_labels=follows.KIND_LABELS,
        page=page,
        pagination=pagination(page),
        counts=page.counts,
        module_titles=content_choices().module_titles,
    )
