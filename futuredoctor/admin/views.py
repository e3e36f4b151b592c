"""National admin: users, their role grants, account status and the audit log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from futuredoctor.admin import audit_words, closures, services
from futuredoctor.admin.forms import (
    AccountStatusForm,
    ActionForm,
    AuditFilterForm,
    GrantForm,
    KeepOpenForm,
    NewUserForm,
    UserSearchForm,
)
from futuredoctor.auth import accounts
from futuredoctor.date_input import date_from_text
from futuredoctor.models import Role, User, utcnow
from futuredoctor.paging import Page, page_number, pagination_params
from futuredoctor.permissions import Permission, actor, recent_sign_in_required, requires
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.timezones import local_day_bounds
from futuredoctor.transactions import retry_on_conflict

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")



def _pagination(page: Page) -> dict[str, Any] | None:
    args = request.args.to_dict()

    def url_for_page(number: int) -> str:
        values: dict[str, Any] = {**args, "page": str(number)}
        return url_for(request.endpoint or "", **values)

    return pagination_params(page, url_for_page)


# --- users ---------------------------------------------------------------------------------


@bp.get("/users")
@requires(Permission.MANAGE_USERS)
def users() -> tuple[str, int]:
    form = UserSearchForm(formdata=request.args)
    number = page_number(request.args.get("page"))
    if request.args and not form.validate():
        page_html = render_template(
            "admin/users.html", form=form, page=None, pagination=None, closures_waiting=0
        )
        return page_html, 400
    role = Role(form.role.data) if form.role.data else None
    page = services.list_users((form.q.data or "").strip(), role, number)
    now = utcnow()
    labels = services.role_labels(page.items)
    rows = [
        (user, labels[user.id], services.account_status(user, now)) for user in page.items
    ]
    return (
        render_template(
            "admin/users.html",
            form=form,
            page=page,
            rows=rows,
            pagination=_pagination(page),
            closures_waiting=closures.pending_count(),
        ),
        200,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def user_new() -> tuple[str, int] | Response:
    form = NewUserForm()
    if form.validate_on_submit():
        new = services.NewUser(
            email=form.email.data or "",
            given_name=form.given_name.data or "",
            family_name=form.family_name.data or "",
        )
        taken = Refusal("email", "An account with this email address already exists")
        try:
            user = retry_on_conflict(lambda: services.create_user(new, actor()), taken)
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            flash(
                f"Account created for {user.full_name}. We have emailed {user.email} a link "
                "to set their password.",
                "success",
            )
            return redirect(url_for("admin.user_detail", user_id=user.id))
    status = 400 if form.errors else 200
    return render_template("admin/user_new.html", form=form), status


@bp.get("/users/<int:user_id>")
@requires(Permission.MANAGE_USERS)
def user_detail(user_id: int) -> tuple[str, int]:
    user = _user_or_404(user_id)
    return _render_detail(user)


@bp.post("/users/<int:user_id>/grants")
@requires(Permission.MANAGE_USERS)
@recent_sign_in_required
def grant_add(user_id: int) -> tuple[str, int] | Response:
    user = _user_or_404(user_id)
    form = _grant_form()
    if form.validate_on_submit():
        held = Refusal("role", f"{user.full_name} already holds this role with this scope")
        try:
            region_id, pilot_id = services.parse_scope(form.scope.data)
            grant = retry_on_conflict(
                lambda: services.add_grant(
                    user, Role(form.role.data), region_id, pilot_id, actor()
                ),
                held,  # the same grant added twice at once
            )
            label = services.grant_label(grant)
        except Refusal as refusal:
            show_refusal(form, refusal)
        else:
            flash(f"{user.full_name} is now {label}.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return _render_detail(_user_or_404(user_id), grant_form=form, status=400)


@bp.post("/users/<int:user_id>/grants/<int:grant_id>/remove")
@requires(Permission.MANAGE_USERS)
@recent_sign_in_required
def grant_remove(user_id: int, grant_id: int) -> tuple[str, int] | Response:
    user = _user_or_404(user_id)
    grant = services.find_grant(user, grant_id)
    if grant is None:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    label = services.grant_label(grant)
    try:
        services.remove_grant(user, grant, actor())
    except Refusal as refusal:
        return _render_detail(user, problem=(refusal.message, "#grants"), status=400)
    flash(f"Removed {label} from {user.full_name}.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/invitation")
@requires(Permission.MANAGE_USERS)
def user_invite(user_id: int) -> tuple[str, int] | Response:
    """Send the "set your password" email again; the earlier link stops working."""
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        accounts.invite_staff(user, actor())
    except Refusal as refusal:
        return _render_detail(user, problem=(refusal.message, "#invitation"), status=400)
    flash(f"We have emailed {user.email} a new link to set their password.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/unlock")
@requires(Permission.MANAGE_USERS)
def user_unlock(user_id: int) -> Response:
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if services.unlock(user, actor()):
        flash(f"Unlocked the account of {user.full_name}.", "success")
    else:
        flash(f"The account of {user.full_name} was not locked.", "info")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/status")
@requires(Permission.MANAGE_USERS)
def user_status(user_id: int) -> tuple[str, int] | Response:
    user = _user_or_404(user_id)
    form = AccountStatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if form.action.data == "close":
            changed = services.close_account(user, actor())
            done, already = "Closed the account of", "was already closed"
        else:
            changed = services.reopen_account(user, actor())
            done, already = "Reopened the account of", "was already open"
    except Refusal as refusal:
        return _render_detail(user, problem=(refusal.message, "#account-status"), status=400)
    if changed:
        flash(f"{done} {user.full_name}.", "success")
    else:
        flash(f"The account of {user.full_name} {already}.", "info")
    return redirect(url_for("admin.user_detail", user_id=user.id))


# --- requests to close an account ---------------------------------------------------------


@bp.get("/closure-requests")
@requires(Permission.MANAGE_USERS)
def closure_requests() -> str:
    page = closures.pending_requests(page_number(request.args.get("page")))
    return render_template(
        "admin/closure_requests.html", page=page, pagination=_pagination(page)
    )


@bp.post("/users/<int:user_id>/closure-request/keep-open")
@requires(Permission.MANAGE_USERS)
def closure_keep_open(user_id: int) -> tuple[str, int] | Response:
    user = _user_or_404(user_id)
    form = KeepOpenForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        settled = closures.keep_open(user, actor(), form.note.data)
    except Refusal as refusal:
        show_refusal(form, refusal, "note")
        return _render_detail(
            user, keep_open_form=form, problem=(refusal.message, "#note"), status=400
        )
    if settled is None:
        flash(f"{user.full_name} has no request waiting: it may have been handled already.", "info")
    else:
        flash(f"Kept the account of {user.full_name} open and told them why.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _user_or_404(user_id: int) -> User:
    user = services.get_user(user_id)
    if user is None:
        abort(404)
    return user


def _grant_form() -> GrantForm:
    form = GrantForm()
    form.scope.choices = services.scope_choices()
    return form


def _render_detail(
    user: User,
    grant_form: GrantForm | None = None,
    problem: tuple[str, str] | None = None,
    status: int = 200,
    keep_open_form: KeepOpenForm | None = None,
) -> tuple[str, int]:
    if grant_form is None:
        grant_form = _grant_form()
        grant_form.scope.data = services.NATIONAL_SCOPE
    grants = sorted(user.grants, key=lambda g: (g.role.label, g.scope_label))
    return (
        render_template(
            "admin/user_detail.html",
            user=user,
            status=services.account_status(user),
            grants=[(g, services.grant_label(g)) for g in grants],
            grant_form=grant_form,
            action_form=ActionForm(),
            problem=problem,
            is_self=user.id == current_user.id,
            closure=closures.pending_closure(user),
            keep_open_form=keep_open_form or KeepOpenForm(),
            invitation_expires=accounts.invitation_expires(user),
            now_utc=utcnow(),
        ),
        status,
    )


# --- audit log -----------------------------------------------------------------------------


@bp.get("/audit")
@requires(Permission.VIEW_AUDIT)
def audit() -> tuple[str, int]:
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [SelectChoice("", "All actions")] + [
        SelectChoice(a, audit_words.action_label(a)) for a in services.audit_actions()
    ]
    number = page_number(request.args.get("page"))
    words = {"action_label": audit_words.action_label, "detail_label": audit_words.detail_label}
    if request.args and not form.validate():
        return render_template(
            "admin/audit.html", form=form, page=None, pagination=None, names={}, **words
        ), 400
    start, end = date_from_text(form.date_from.data), date_from_text(form.date_to.data)
    page = services.list_audit_events(
        form.action.data or None,
        form.actor.data or None,
        number,
        since=local_day_bounds(start)[0] if start else None,
        until=local_day_bounds(end)[1] if end else None,
    )
    return (
        render_template(
            "admin/audit.html",
            form=form,
            page=page,
            names=audit_words.target_names(page.items),
            pagination=_pagination(page),
            **words,
        ),
        200,
    )
