"""The trailblazer network's pages: the list with filters and search, a post with its
comments, writing and changing one's own posts, "useful" marks, reports and moderation."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from futuredoctor.community import follows, network
from futuredoctor.community.blueprint import bp, pagination
from futuredoctor.community.network_forms import (
    CommentForm,
    PostFilterForm,
    PostForm,
    ReasonForm,
)
from futuredoctor.content.choices import ContentChoices, content_choices
from futuredoctor.content.render import render_markdown
from futuredoctor.extensions import db
from futuredoctor.models import NetworkPost
from futuredoctor.paging import page_number
from futuredoctor.permissions import Permission, actor, requires, signed_in
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.typed_text import db_int


def _post_or_404(post_id: int) -> NetworkPost:
    """A post the signed-in person may see; hidden ones only to author and moderators."""
    post = db.session.get(NetworkPost, post_id) if db_int(post_id) is not None else None
    if post is None or not network.may_see(actor(), post):
        abort(404)
    return post


def _own_or_404(post_id: int) -> NetworkPost:
    post = _post_or_404(post_id)
    if post.author_id != actor().id:
        abort(404)
    return post


def _domain_choices(choices: ContentChoices) -> list[tuple[str, str]]:
    return [(code, f"{code}: {title}") for code, title in choices.domains]


def _filter_form(choices: ContentChoices) -> PostFilterForm:
    form = PostFilterForm(formdata=request.args)
    form.region.choices = [("", "All regions")] + [(r.code, r.name) for r in choices.regions]
    form.domain.choices = [("", "All GPC domains"), *_domain_choices(choices)]
    form.priority.choices = [("", "All priorities")] + [(p, p) for p in choices.priorities]
    form.module.choices = [("", "All modules"), *choices.modules]
    for f in (form.region, form.domain, form.priority, form.module):
        f.data = f.data or ""
    return form


@bp.get("/network")
@signed_in
def network_list() -> tuple[str, int]:
    choices = content_choices()
    form = _filter_form(choices)
    number = page_number(request.args.get("page"))
    if form.validate():
        filters = network.PostFilters(
            region=form.region.data or "",
            domain=form.domain.data or "",
            priority=form.priority.data or "",
            module=form.module.data or "",
            text=form.text.data or "",
        )
        page = network.posts(actor(), filters, number)
        code = 200
        topics = _filter_topics(form, filters)
    else:
        page = network.PostPage(items=[], number=1, per_page=network.PER_PAGE, total=0)
        code = 400
        topics = []
    return render_template(
        "community/network.html",
        form=form,
        page=page,
        pagination=pagination(page),
        counts=page.counts,
        module_titles=choices.module_titles,
        may_post=network.may_post(actor()),
        follow_topics=topics,
        following=follows.following_set(actor()) if topics else set(),
    ), code


def _filter_topics(
    form: PostFilterForm, filters: network.PostFilters
) -> list[tuple[str, str, str]]:
    """(kind, value, label) for each filter chosen, so it can be followed from the list."""
    chosen = [
        ("region", filters.region, form.region),
        ("domain", filters.domain, form.domain),
        ("priority", filters.priority, form.priority),
        ("module", filters.module, form.module),
    ]
    return [(kind, value, dict(field.choices)[value]) for kind, value, field in chosen if value]


def _post_form(post: NetworkPost | None) -> PostForm:
    data: dict[str, Any] = {}
    if post is not None and request.method == "GET":
        data = {
            "title": post.title,
            "body": post.body,
            "region": post.region.code if post.region else "",
            "module": post.module.slug if post.module else "",
            "domains": post.domains,
            "priorities": post.priorities,
        }
    form = PostForm(**data)
    choices = content_choices()
    form.region.choices = [("", "No region")] + [(r.code, r.name) for r in choices.regions]
    form.module.choices = [("", "No module"), *choices.modules]
    form.domains.choices = _domain_choices(choices)
    form.priorities.choices = [(p, p) for p in choices.priorities]
    form.region.data = form.region.data or ""
    form.module.data = form.module.data or ""
    return form


def _input(form: PostForm) -> network.PostInput:
    return network.PostInput(
        title=form.title.data or "",
        body=form.body.data or "",
        region_code=form.region.data or "",
        module_slug=form.module.data or "",
        domains=list(form.domains.data or []),
        priorities=list(form.priorities.data or []),
    )


@bp.route("/network/new", methods=["GET", "POST"])
@signed_in
def network_new() -> tuple[str, int] | Response:
    user = actor()
    form = _post_form(None)
    allowed = network.may_post(user)
    if allowed and form.validate_on_submit():
        try:
            post = network.create_post(user, _input(form))
        except Refusal as refusal:
            show_refusal(form, refusal, "title")
        else:
            flash("Your post is in the network.", "success")
            return redirect(url_for("community.network_post", post_id=post.id))
    return _render_post_form(form, None, allowed)


def _render_post_form(form: PostForm, post: NetworkPost | None, allowed: bool) -> tuple[str, int]:
    """The write or edit form; a POST that reaches it was refused."""
    code = 400 if request.method == "POST" else 200
    return render_template(
        "community/network_form.html",
        form=form,
        post=post,
        allowed=allowed,
        max_body=network.MAX_BODY,
    ), code


@bp.post("/network/opt-in")
@signed_in
def network_opt_in() -> Response:
    try:
        network.opt_in(actor())
    except Refusal as refusal:
        flash(refusal.message, "warning")
        return redirect(url_for("community.network_list"))
    flash("You can now post in the network.", "success")
    return redirect(url_for("community.network_new"))


def _render_post(
    post: NetworkPost,
    comment_form: CommentForm | None = None,
    reason_form: ReasonForm | None = None,
    report_form: ReasonForm | None = None,
    code: int = 200,
) -> tuple[str, int]:
    user = actor()
    useful, marked = network.useful_marks(user, post)
    return render_template(
        "community/network_post.html",
        post=post,
        body=render_markdown(post.body),
        comments=network.comments(post),
        useful=useful,
        marked=marked,
        moderator=network.can_moderate(user, post),
        reports=network.report_count(post) if network.can_moderate(user, post) else 0,
        comment_form=comment_form or CommentForm(),
        reason_form=reason_form or ReasonForm(prefix="moderate"),
        report_form=report_form or ReasonForm(prefix="report"),
        domain_titles=content_choices().domain_titles,
        follow_topics=follows.post_topics(post),
        following=follows.following_set(user),
    ), code


@bp.get("/network/<int:post_id>")
@signed_in
def network_post(post_id: int) -> tuple[str, int]:
    return _render_post(_post_or_404(post_id))


@bp.route("/network/<int:post_id>/edit", methods=["GET", "POST"])
@signed_in
def network_edit(post_id: int) -> tuple[str, int] | Response:
    post = _own_or_404(post_id)
    form = _post_form(post)
    if form.validate_on_submit():
        try:
            network.update_post(actor(), post, _input(form))
        except Refusal as refusal:
            show_refusal(form, refusal, "title")
        else:
            flash("Your post is updated.", "success")
            return redirect(url_for("community.network_post", post_id=post.id))
    return _render_post_form(form, post, True)


@bp.post("/network/<int:post_id>/delete")
@signed_in
def network_delete(post_id: int) -> Response:
    network.delete_post(actor(), _own_or_404(post_id))
    flash("Your post is deleted.", "success")
    return redirect(url_for("community.network_list"))


@bp.post("/network/<int:post_id>/comment")
@signed_in
def network_comment(post_id: int) -> tuple[str, int] | Response:
    post = _post_or_404(post_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            network.add_comment(actor(), post, form.body.data or "")
        except Refusal as refusal:
            show_refusal(form, refusal, "body")
        else:
            flash("Your comment is added.", "success")
            return redirect(url_for("community.network_post", post_id=post.id) + "#comments")
    return _render_post(post, comment_form=form, code=400)


@bp.post("/network/<int:post_id>/useful")
@signed_in
def network_useful(post_id: int) -> Response:
    post = _post_or_404(post_id)
    if request.form.get("undo"):
        network.unmark_useful(actor(), post)
    else:
        network.mark_useful(actor(), post)
    return redirect(url_for("community.network_post", post_id=post.id))


@bp.post("/network/<int:post_id>/report")
@signed_in
def network_report(post_id: int) -> tuple[str, int] | Response:
    post = _post_or_404(post_id)
    form = ReasonForm(prefix="report")
    if form.validate_on_submit():
        try:
            network.report(actor(), post, form.reason.data or "")
        except Refusal as refusal:
            show_refusal(form, refusal, "reason")
        else:
            flash("Thank you. A moderator will look at this post.", "success")
            return redirect(url_for("community.network_post", post_id=post.id))
    return _render_post(post, report_form=form, code=400)


def _moderate(post_id: int, hidden: bool) -> tuple[str, int] | Response:
    post = _post_or_404(post_id)
    if not network.can_moderate(actor(), post):
        abort(404)
    form = ReasonForm(prefix="moderate")
    if form.validate_on_submit():
        try:
            network.set_hidden(actor(), post, hidden, form.reason.data or "")
        except Refusal as refusal:
            show_refusal(form, refusal, "reason")
        else:
            flash("The post is hidden." if hidden else "The post is restored.", "success")
            return redirect(url_for("community.network_post", post_id=post.id))
    return _render_post(post, reason_form=form, code=400)


@bp.post("/network/<int:post_id>/hide")
@requires(Permission.MODERATE_NETWORK)
def network_hide(post_id: int) -> tuple[str, int] | Response:
    return _moderate(post_id, hidden=True)


@bp.post("/network/<int:post_id>/restore")
@requires(Permission.MODERATE_NETWORK)
def network_restore(post_id: int) -> tuple[str, int] | Response:
    return _moderate(post_id, hidden=False)
