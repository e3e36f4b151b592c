"""The moderators' queue: reported (or hidden) posts in the moderator's scope, with hide,
restore and dismiss from the list itself."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.community import moderation, network
from futuredoctor.community.blueprint import bp, pagination
from futuredoctor.community.network_forms import QueueActionForm
from futuredoctor.community.network_views import _post_or_404
from futuredoctor.paging import page_number
from futuredoctor.permissions import Permission, actor, requires
from futuredoctor.refusals import Refusal

DONE = {
    "hide": "The post is hidden and its reports are closed.",
    "restore": "The post is restored.",
    "dismiss": "The reports are dismissed; the post stays as it is.",
}


def _view() -> str:
    view = request.args.get("show", moderation.REPORTED)
    return view if view in moderation.VIEWS else moderation.REPORTED


@bp.get("/network/moderation")
@requires(Permission.MODERATE_NETWORK)
def network_queue() -> str:
    view = _view()
    page, entries = moderation.queue(actor(), view, page_number(request.args.get("page")))
    return render_template(
        "community/moderation.html",
        view=view,
        page=page,
        entries=entries,
        pagination=pagination(page),
        form=QueueActionForm(),
    )


@bp.post("/network/moderation/<int:post_id>")
@requires(Permission.MODERATE_NETWORK)
def network_queue_act(post_id: int) -> Response:
    post = _post_or_404(post_id)
    if not network.can_moderate(actor(), post):
        abort(404)
    form = QueueActionForm()
    action = form.action.data or ""
    back = url_for("community.network_queue", show=_view())
    if not form.validate_on_submit() or action not in DONE:
        message = next(iter(form.reason.errors), "Choose hide, restore or dismiss")
        flash(f"{post.title}: {message}", "warning")
        return redirect(back)
    reason = form.reason.data or ""
    try:
        if action == "dismiss":
            moderation.dismiss(actor(), post, reason)
        else:
            network.set_hidden(actor(), post, action == "hide", reason)
    except Refusal as refusal:
        # Nothing was changed; say so next to the queue rather than on a page of its own.
        flash(f"{post.title}: {refusal.message}", "warning")
        return redirect(back)
    flash(DONE[action], "success")
    return redirect(back)
