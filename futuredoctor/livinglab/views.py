"""The feedback inbox and triage of single items and of many at once. The co-design and
version pages live in ``codesign_views`` and ``version_views``, on the same blueprint."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from futuredoctor.extensions import db
from futuredoctor.livinglab import history as yswd
from futuredoctor.livinglab import inbox, replies, triage
from futuredoctor.livinglab.blueprint import TRIAGE, bp, pagination
from futuredoctor.livinglab.forms import (
    BulkStatusForm,
    InboxFilterForm,
    ReplyForm,
    StatusForm,
    TagForm,
)
from futuredoctor.livinglab.workflow import (
    MANUAL_TARGETS,
    SOURCE_LABELS,
    STATUS_LABELS,
    allowed_targets,
    label,
)
from futuredoctor.models import (
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    FeedbackStatusChange,
    User,
)
from futuredoctor.paging import page_number
from futuredoctor.permissions import actor, requires
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.transactions import retry_on_conflict, savepoint

RATING_CHOICES = [("", "Any rating")] + [
    (str(n), f"Any rating of {n}" + (" or lower" if n > 1 else "")) for n in (1, 2, 3)
]


def _filter_form() -> tuple[InboxFilterForm, dict[str, list[Any]]]:
    choices = inbox.filter_choices(
        actor(), request.args.get("module", ""), request.args.get("version", "")
    )
    form = InboxFilterForm(formdata=request.args)
    form.module.choices = [("", "All modules")] + [(m.slug, m.title) for m in choices["modules"]]
    form.version.choices = [("", "All versions")] + [
        (str(v.id), f"{v.title} (version {v.number})") for v in choices["versions"]
    ]
    form.region.choices = [("", "All regions")] + [(r.code, r.name) for r in choices["regions"]]
    form.status.choices = [("", "All statuses")] + [(s.value, t) for s, t in STATUS_LABELS.items()]
    form.rating.choices = RATING_CHOICES
    form.tag.choices = [("", "All tags")] + [(str(t.id), t.name) for t in choices["tags"]]
    form.source.choices = [("", "All sources")] + [(s.value, t) for s, t in SOURCE_LABELS.items()]
    for field in (
        form.module,
        form.version,
        form.region,
        form.status,
        form.rating,
        form.tag,
        form.source,
    ):
        field.data = field.data or ""
    return form, choices


def _wanted(form: InboxFilterForm, choices: dict[str, list[Any]]) -> inbox.InboxFilter:
    module_ids = {m.slug: m.id for m in choices["modules"]}
    region_ids = {r.code: r.id for r in choices["regions"]}
    return inbox.InboxFilter(
        module_id=module_ids.get(form.module.data or ""),
        version_id=int(form.version.data) if form.version.data else None,
        region_id=region_ids.get(form.region.data or ""),
        status=FeedbackStatus(form.status.data) if form.status.data else None,
        max_rating=int(form.rating.data) if form.rating.data else None,
        tag_id=int(form.tag.data) if form.tag.data else None,
        source=FeedbackSource(form.source.data) if form.source.data else None,
        text=form.text.data or None,
    )


def _bulk_form() -> BulkStatusForm:
    form = BulkStatusForm(prefix="bulk")
    form.status.choices = [("", "Choose a status")] + [(s.value, label(s)) for s in MANUAL_TARGETS]
    return form


def _render_inbox(bulk: BulkStatusForm | None = None, status: int = 200) -> tuple[str, int]:
    form, choices = _filter_form()
    number = page_number(request.args.get("page"))
    filtering = any(k != "page" for k in request.args)
    counts, counted_at = inbox.summary_counts(actor())
    if filtering and not form.validate():
        page, status = None, 400
    else:
        # Unfiltered, the summary's counts give the total: no count of every item in scope.
        total = None if filtering else sum(counts.values())
        page = inbox.inbox_page(actor(), _wanted(form, choices), number, total)
    return render_template(
        "livinglab/inbox.html",
        form=form,
        page=page,
        pagination=pagination(page) if page else None,
        bulk=bulk or _bulk_form(),
        counts=counts,
        counted_at=counted_at,
        filtering=filtering,
    ), status


@bp.get("/feedback")
@requires(TRIAGE)
def inbox_view() -> tuple[str, int]:
    return _render_inbox()


@bp.post("/feedback/status")
@requires(TRIAGE)
def bulk_status() -> tuple[str, int] | Response:
    form = _bulk_form()
    back = request.form.get("back", "")
    target = (
        back
        if back.startswith("/feedback") and "//" not in back
        else url_for("livinglab.inbox_view")
    )
    if form.validate_on_submit():
        items = inbox.items_for_update(actor(), form.items.data or [])
        if not items:
            abort(404)
        try:
            with savepoint():  # one refused note undoes the items already moved
                changed, refused = triage.change_many(
                    items, FeedbackStatus(form.status.data), form.note.data, actor()
                )
        except Refusal as refusal:
            show_refusal(form, refusal, "note")
        else:
            if changed:
                ids = ", ".join(str(i.id) for i in changed)
                flash(f"Moved feedback {ids} to {label(form.status.data).lower()}.", "success")
            for message in refused:
                flash(message + ".", "info")
            return redirect(target)
    return _render_inbox(form, 400)


# --- one item --------------------------------------------------------------------------


def _status_form(item: FeedbackItem) -> StatusForm:
    form = StatusForm()
    form.status.choices = [("", "Choose a status")] + [
        (s.value, label(s)) for s in allowed_targets(item.status)
    ]
    if request.method == "GET":
        form.from_status.data = item.status.value
    return form


def _render_item(
    item: FeedbackItem,
    status_form: StatusForm | None = None,
    tag_form: TagForm | None = None,
    code: int = 200,
    reply_form: ReplyForm | None = None,
) -> tuple[str, int]:
    entries = list(
        db.session.scalars(
            sa.select(FeedbackStatusChange)
            .where(FeedbackStatusChange.feedback_item_id == item.id)
            .order_by(FeedbackStatusChange.changed_at, FeedbackStatusChange.id)
        )
    )
    people_ids = {e.changed_by_id for e in entries if e.changed_by_id}
    if item.entered_by_id:
        people_ids.add(item.entered_by_id)
    people = (
        {
            u.id: u
            for u in db.session.scalars(
                sa.select(User).where(User.id.in_(people_ids)).options(selectinload(User.grants))
            )
        }
        if people_ids
        else {}
    )
    return render_template(
        "livinglab/item.html",
        item=item,
        entries=entries,
        people=people,
        status_form=status_form or _status_form(item),
        tag_form=tag_form or TagForm(),
        reply_form=reply_form or ReplyForm(),
        replies=replies.replies_to(item.id),
        can_reply=replies.can_reply(item),
        quotable=yswd.quotable(item),
    ), code


@bp.get("/feedback/<int:item_id>")
@requires(TRIAGE, feedback_item="item_id")
def item(feedback_item: FeedbackItem) -> tuple[str, int]:
    return _render_item(feedback_item)


@bp.post("/feedback/<int:item_id>/status")
@requires(TRIAGE, feedback_item="item_id")
def item_status(feedback_item: FeedbackItem) -> tuple[str, int] | Response:
    item = feedback_item
    form = _status_form(item)
    here = url_for("livinglab.item", item_id=item.id)
    if form.validate_on_submit():
        target = FeedbackStatus(form.status.data)
        if form.from_status.data and form.from_status.data != item.status.value:
            if item.status is target:  # the same change submitted twice
                flash(f"Feedback {item.id} is already {label(target).lower()}.", "info")
                return redirect(here)
            form.status.errors = [
                f"Someone changed this item to {label(item.status).lower()} while you were "
                "looking at it. Check the timeline and choose again"
            ]
            form.from_status.data = item.status.value
            form.status.choices = [("", "Choose a status")] + [
                (s.value, label(s)) for s in allowed_targets(item.status)
            ]
            return _render_item(item, status_form=form, code=409)
        try:
            triage.change_status(item, target, form.note.data, actor())
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            flash(f"Feedback {item.id} is now {label(target).lower()}.", "success")
            return redirect(here)
    return _render_item(item, status_form=form, code=400)


@bp.post("/feedback/<int:item_id>/tags")
@requires(TRIAGE, feedback_item="item_id")
def item_tags(feedback_item: FeedbackItem) -> tuple[str, int] | Response:
    item = feedback_item
    form = TagForm()
    here = url_for("livinglab.item", item_id=item.id)
    if form.validate_on_submit():
        if form.remove.data:
            if not form.remove.data.isdigit():
                abort(400)
            name = triage.remove_tag(item, int(form.remove.data))
            flash(
                f"Removed the tag “{name}”." if name else "That tag was already removed.",
                "success" if name else "info",
            )
            return redirect(here)
        try:
            names = triage.parse_tags(form.tags.data or "")
            added = retry_on_conflict(  # someone created the same new tag at the same moment
                lambda: triage.add_tags(item, names),
                Refusal("tags", "That tag was created by someone else just now: add it again"),
            )
        except Refusal as refusal:
            show_refusal(form, refusal, "tags")
        else:
            shown = ", ".join(f"“{n}”" for n in added)
            flash(
                f"Added {shown}." if added else "Those tags were already there.",
                "success" if added else "info",
            )
            return redirect(here)
    return _render_item(item, tag_form=form, code=400)


@bp.post("/feedback/<int:item_id>/reply")
@requires(TRIAGE, feedback_item="item_id")
def item_reply(feedback_item: FeedbackItem) -> tuple[str, int] | Response:
    """Answer the person who gave this feedback; they read it on their feedback page."""
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            replies.reply(feedback_item, form.body.data or "", actor())
        except Refusal as refusal:
            show_refusal(form, refusal, "body")
        else:
            flash("Reply sent. They can read it with their feedback.", "success")
            return redirect(url_for("livinglab.item", item_id=feedback_item.id) + "#replies")
    return _render_item(feedback_item, reply_form=form, code=400)


# The other living lab pages register their routes on ``bp``.
from futuredoctor.livinglab import (  # noqa: E402,F401
    codesign_views,
    contributor_views,
    version_views,
)
