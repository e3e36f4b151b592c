"""Evaluators' pages: the export form (which streams the package), the data dictionary and
personal API tokens; and the national admins' export record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from futuredoctor import audit, clock
from futuredoctor.config import PROJECT_ROOT
from futuredoctor.content.render import render_markdown
from futuredoctor.evaluation import records, tokens
from futuredoctor.evaluation.codebook import RULES
from futuredoctor.evaluation.codebook import data_dictionary as data_dictionary_markdown
from futuredoctor.evaluation.forms import (
    ExportForm,
    ExportRecordFilterForm,
    RevokeForm,
    TokenForm,
)
from futuredoctor.evaluation.package import package_key, row_counts, stream_package
from futuredoctor.evaluation.projects import KINDS
from futuredoctor.evaluation.pseudonyms import ExportUnavailable, study_secret
from futuredoctor.evaluation.schema import FREE_TEXT_LABELS, LIKERT_LABELS, TABLES
from futuredoctor.evaluation.scope import (
    ExportRequestError,
    parse_request,
    scope_choices,
    user_access,
)
from futuredoctor.models import ApiToken, utcnow
from futuredoctor.paging import page_number, pagination_params
from futuredoctor.permissions import (
    Permission,
    actor,
    get_owned_or_404,
    recent_sign_in_required,
    requires,
)
from futuredoctor.refusals import Refusal, show_refusal

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation", template_folder="templates")



def uk_date(value: Any) -> str:
    return f"{value.day}/{value.month}/{value.year}"


def export_filename(scope: Any, suffix: str = "zip") -> str:
    return f"futuredoctor-evaluation-{scope.as_of:%Y%m%d-%H%M%S}.{suffix}"


# --- export ---------------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.EXPORT_EVALUATION)
def index() -> tuple[str, int] | Response:
    """The export form; a valid POST answers with the package itself (a download)."""
    user = actor()
    choices = scope_choices(user)
    form = ExportForm()
    form.scope.choices = [(c.value, c.label) for c in choices]
    try:
        secret = study_secret()
    except ExportUnavailable as problem:
        if request.method == "POST":
            records.record_refusal(user, "web", "exports_unavailable")
        return render_template("evaluation/unavailable.html", message=str(problem)), 503
    access = user_access(user)
    form.project.choices = [(str(a.project_id), a.project.name) for a in access]
    if request.method == "GET":
        today = clock.today_uk()
        form.project.data = form.project.choices[0][0] if form.project.choices else ""
        form.kind.data = "aggregate"
        form.scope.data = [c.value for c in choices]
        form.date_from.data = uk_date(today - timedelta(days=365))
        form.date_to.data = uk_date(today)
        return _render_export(form, choices, 200)
    try:
        scope = parse_request(
            user,
            form.scope.data or [],
            form.date_from.data,
            form.date_to.data,
            "true" if form.free_text.data else "false",
            free_text_fields=form.free_text.data or [],
            project=form.project.data,
            kind=form.kind.data,
        )
        key = package_key(scope, secret)
    except ExportRequestError as problem:
        for name, message in problem.errors.items():
            getattr(form, name).errors = [message]
        records.record_refusal(user, "web", "invalid_request", fields=sorted(problem.errors))
        return _render_export(form, choices, 400)
    except ExportUnavailable as problem:
        records.record_refusal(user, "web", "development_secret", kind=form.kind.data)
        form.kind.errors = [str(problem)]
        return _render_export(form, choices, 400)
    except Refusal as refusal:
        records.record_refusal(user, "web", "project_key_changed")
        form.project.errors = [refusal.message]
        return _render_export(form, choices, 400)
    if request.form.get("preview"):
        counts = row_counts(scope, key)
        audit.record("export.previewed", actor=user, kind=scope.kind, rows=counts)
        return _render_export(form, choices, 200, counts)
    run = records.ExportRun(user, "web", scope)
    chunks = stream_package(scope, key, run.complete)
    return records.download(run.guard(chunks), export_filename(scope), "application/zip")


def _render_export(
    form: ExportForm, choices: list[Any], status: int, counts: dict[str, int] | None = None
) -> tuple[str, int]:
    return (
        render_template(
            "evaluation/export.html",
            form=form,
            choices=choices,
            tables=TABLES,
            free_text_fields=FREE_TEXT_LABELS,
            kinds=KINDS,
            counts=counts,
        ),
        status,
    )


@bp.get("/data-dictionary")
@requires(Permission.EXPORT_EVALUATION)
def data_dictionary() -> str:
    return render_template(
        "evaluation/data_dictionary.html",
        rules=render_markdown(RULES),
        tables=TABLES,
        likert=LIKERT_LABELS,
    )


# --- API tokens -----------------------------------------------------------------------------


@bp.route("/tokens", methods=["GET", "POST"])
@requires(Permission.EXPORT_EVALUATION)
@recent_sign_in_required
def api_tokens() -> tuple[str, int] | Response:
    form = TokenForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            token, secret = tokens.create_token(actor(), form.name.data or "", form.expiry.data)
        except Refusal as refusal:
            show_refusal(form, refusal, "name")
        else:
            # Shown once, in this response only: never kept in the session cookie (signed,
            # not encrypted) or anywhere else but as a hash.
            flash(
                f"API token {token.name} created. Copy it now: it will not be shown again.",
                "success",
            )
            return _render_tokens(TokenForm(formdata=None), 200, new_secret=secret)
    status = 400 if form.errors else 200
    return _render_tokens(form, status)


@bp.post("/tokens/revoke")
@requires(Permission.EXPORT_EVALUATION)
def api_token_revoke() -> tuple[str, int] | Response:
    form = RevokeForm()
    if not form.validate_on_submit() or not (form.token_id.data or "").isdigit():
        return _render_tokens(TokenForm(formdata=None), 400, problem="Choose a token to revoke")
    token = get_owned_or_404(ApiToken, int(form.token_id.data), current_user, lambda t: t.user_id)
    if tokens.revoke_token(token, actor()):
        flash(
            f"API token {token.name} ({token.prefix}…) revoked. Scripts using it will stop "
            "working at once.",
            "success",
        )
    else:
        flash(f"API token {token.name} was already revoked.", "info")
    return redirect(url_for("evaluation.api_tokens"))


def _render_tokens(
    form: TokenForm, status: int, problem: str | None = None, new_secret: str | None = None
) -> tuple[str, int]:
    user = actor()
    now = utcnow()
    rows = [(t, tokens.token_status(t, now)) for t in tokens.tokens_for(user)]
    return (
        render_template(
            "evaluation/tokens.html",
            form=form,
            revoke_form=RevokeForm(formdata=None),
            rows=rows,
            new_secret=new_secret,
            exports_url=current_app.config["PUBLIC_URL"].rstrip("/") + url_for("api.exports"),
            problem=problem,
        ),
        status,
    )


# --- export record (national admins) --------------------------------------------------------


@bp.get("/exports")
@requires(Permission.VIEW_AUDIT)
def export_record() -> tuple[str, int]:
    form = ExportRecordFilterForm(formdata=request.args)
    number = page_number(request.args.get("page"))
    if request.args and not form.validate():
        return render_template("evaluation/export_record.html", form=form, page=None), 400
    page = records.list_exports(form.channel.data or None, form.person.data or None, number)
    args = request.args.to_dict()

    def url_for_page(n: int) -> str:
        values: dict[str, Any] = {**args, "page": str(n)}
        return url_for("evaluation.export_record", **values)

    return (
        render_template(
            "evaluation/export_record.html",
            form=form,
            page=page,
            rows=[(r, records.summary(r)) for r in page.items],
            channels=records.CHANNELS,
            pagination=pagination_params(page, url_for_page),
        ),
        200,
    )


@bp.cli.command("data-dictionary")
@click.option("--check", is_flag=True, help="Fail if docs/data-dictionary.md is out of date.")
def write_data_dictionary(check: bool) -> None:
    """Write docs/data-dictionary.md from the export's field definitions."""
    path = PROJECT_ROOT / "docs" / "data-dictionary.md"
    text = data_dictionary_markdown()
    if check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            raise click.ClickException(
                f"{path} is out of date: run flask evaluation data-dictionary"
            )
        click.echo(f"{path} is up to date.")
        return
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {path}.")
