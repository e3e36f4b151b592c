"""The participant's inbox and notification preferences. Everything here is the signed-in
person's own: other people's notifications are never listed, and marking one read is a 404."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from futuredoctor.models import Notification
from futuredoctor.notifications import services
from futuredoctor.notifications.forms import MarkAllReadForm, MarkReadForm, PreferencesForm
from futuredoctor.notifications.outbox import unread_count
from futuredoctor.paging import page_number, pagination_params
from futuredoctor.permissions import actor, get_owned_or_404, signed_in

bp = Blueprint("notifications", __name__, template_folder="templates")



@bp.get("/notifications")
@signed_in
def inbox() -> str:
    page = services.inbox(actor(), page_number(request.args.get("page")))
    return render_template(
        "notifications/inbox.html",
        page=page,
        unread=unread_count(current_user.id),
        pagination=pagination_params(page, lambda n: url_for("notifications.inbox", page=str(n))),
        read_form=MarkReadForm(),
        all_form=MarkAllReadForm(),
    )


@bp.post("/notifications/read")
@signed_in
def mark_read() -> Response:
    form = MarkReadForm()
    if not form.validate_on_submit():
        abort(400)
    # Someone else's notification, or none: 404, through the one door for owned records.
    get_owned_or_404(
        Notification, int(form.notification_id.data or 0), actor(), lambda n: n.recipient_id
    )
    if services.mark_read(actor(), int(form.notification_id.data or 0)):
        flash("Notification marked as read.", "success")
    return redirect(_back())


@bp.post("/notifications/read-all")
@signed_in
def mark_all_read() -> Response:
    if not MarkAllReadForm().validate_on_submit():
        abort(400)
    count = services.mark_all_read(actor())
    if count:
        flash(f"Marked {count} notification{'s' if count != 1 else ''} as read.", "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@signed_in
def preferences() -> Any:
    me = actor()
    form = PreferencesForm()
    if request.method == "GET":
        form.email.data = "yes" if me.email_notifications else "no"
        form.digest.data = "no" if me.digest_opt_out else "yes"
    elif form.validate_on_submit():
        services.set_preferences(me, form.email.data == "yes", form.digest.data == "yes")
        flash("Your notification settings are saved.", "success")
        return redirect(url_for("notifications.preferences"))
    status = 400 if form.errors else 200
    return render_template("notifications/preferences.html", form=form), status


def _back() -> str:
    page = request.form.get("page", "")
    if page.isdigit() and int(page) > 1:
        return url_for("notifications.inbox", page=page)
    return url_for("notifications.inbox")
