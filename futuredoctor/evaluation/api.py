"""The evaluation API (/api/v1): the package and each CSV file, for evaluators' scripts.

These routes are not session-based. They carry ``access_rule = ("public", "bearer-token")``:
the app's session gate (``_enforce_access_rules``) lets public routes through, and
``token_required`` below is then the only gate, checking the bearer token, the owner's
account and the owner's grants itself. That keeps one decorator deciding access for the
API, keeps browsers' session cookies from ever authorising a script call, and means CSRF
(a session-cookie attack) does not apply, so the blueprint is exempt from it. Answers are
JSON with a clear message, never an HTML page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_limiter import RequestLimit
from werkzeug.wrappers import Response

from futuredoctor import audit
from futuredoctor.api_errors import api_error
from futuredoctor.evaluation import records, tokens
from futuredoctor.evaluation.openapi import (
    DATE_PATTERN,
    FLAG_VALUES,
    PARAMETERS,
    SCOPE_PATTERN,
    openapi_spec,
)
from futuredoctor.evaluation.package import package_key, stream_csv, stream_package, tables_for
from futuredoctor.evaluation.projects import KINDS
from futuredoctor.evaluation.pseudonyms import ExportUnavailable, study_secret
from futuredoctor.evaluation.schema import TABLES, TABLES_BY_FILE
from futuredoctor.evaluation.scope import UNGRANTED, ExportRequestError, ExportScope, parse_request
from futuredoctor.evaluation.views import export_filename
from futuredoctor.extensions import csrf, db, limiter
from futuredoctor.models import ApiToken, User
from futuredoctor.permissions import Permission, has_permission, public
from futuredoctor.refusals import Refusal
from futuredoctor.transactions import keep_when_refused

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
csrf.exempt(bp)
FILE_NAMES = [t.path for t in TABLES]


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Authenticate by ``Authorization: Bearer <token>``; pass the token's owner to the view."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            token = tokens.authenticate(request.headers.get("Authorization"))
        except tokens.TokenProblem as problem:
            return api_error(401, problem.code, problem.message)
        user = token.user
        # Recorded even when the request then fails: the owner sees the token is in use.
        keep_when_refused()
        if not has_permission(user, Permission.EXPORT_EVALUATION):
            return api_error(
                403, "forbidden", "The owner of this token does not have evaluation access."
            )
        return view(user, *args, **kwargs)

    wrapper.access_rule = ("public", "bearer-token")  # type: ignore[attr-defined]
    return wrapper


def _scope_from_args(user: User) -> ExportScope | Response:
    unknown = sorted(set(request.args) - set(PARAMETERS))
    if unknown:
        records.record_refusal(user, "api", "unknown_parameter")
        return api_error(
            400,
            "unknown_parameter",
            f"Unknown parameter: {', '.join(unknown)}. Allowed: {', '.join(PARAMETERS)}.",
        )
    strict = _strict_problems()
    if strict:
        records.record_refusal(user, "api", "invalid_parameters", fields=sorted(strict))
        message = "; ".join(strict.values())
        return api_error(400, "invalid_parameters", message + ".", fields=strict)
    flags = request.args.getlist("include_free_text")
    try:
        return parse_request(
            user,
            request.args.getlist("scope"),
            request.args.get("date_from"),
            request.args.get("date_to"),
            flags[-1] if flags else None,
            default_to_all=True,
            project=request.args.get("project"),
            kind=request.args.get("kind"),
        )
    except ExportRequestError as problem:
        records.record_refusal(user, "api", "invalid_parameters", fields=sorted(problem.errors))
        if "project" in problem.errors:
            message = problem.errors["project"] + "."
            return api_error(404, "project_not_found", message, fields=problem.errors)
        if problem.errors.get("kind", "").startswith("Your access"):
            message = problem.errors["kind"] + "."
            return api_error(403, "participant_level_not_allowed", message, fields=problem.errors)
        if problem.errors.get("scope") == UNGRANTED:
            return api_error(404, "scope_not_found", UNGRANTED + ".", fields=problem.errors)
        return api_error(400, "invalid_parameters", str(problem) + ".", fields=problem.errors)


def _export_limit() -> str:
    return current_app.config["EXPORT_API_RATE_LIMIT"]


def _token_key() -> str:
    """Counted per token (its hash), not per address: one script, one allowance."""
    header = request.headers.get("Authorization") or ""
    return "export-token:" + tokens.hash_token(header.strip().partition(" ")[2].strip())


def _audit_throttled(limit: RequestLimit) -> None:
    """A throttled export call is audited like any refused one (and kept)."""
    token_hash = _token_key().removeprefix("export-token:")
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_hash))
    audit.record(
        "export.refused",
        actor=token.user if token is not None else None,
        channel="api",
        reason="rate_limited",
        limit=str(limit.limit),
    )
    keep_when_refused()


export_limit = limiter.limit(_export_limit, key_func=_token_key, on_breach=_audit_throttled)


@bp.errorhandler(429)
def too_many_requests(error: Exception) -> Response:
    response = api_error(
        429,
        "rate_limited",
        f"Too many export requests with this token (at most {_export_limit()}). "
        "Try again later.",
    )
    response.headers["Retry-After"] = "3600"
    return response


_SCOPE = re.compile(SCOPE_PATTERN, re.ASCII)
_DATE = re.compile(DATE_PATTERN, re.ASCII)


def _strict_problems() -> dict[str, str]:
    """The API takes its parameters exactly as its description says (scripts send what
    they mean): no blank or padded values, ISO dates in ASCII digits, true or false."""
    problems: dict[str, str] = {}
    if any(not _SCOPE.fullmatch(v) for v in request.args.getlist("scope")):
        problems["scope"] = "scope must be region:CODE or pilot:slug"
    for name in ("date_from", "date_to"):
        if any(not _DATE.fullmatch(v) for v in request.args.getlist(name)):
            problems[name] = f"{name} must be a date from 2020-01-01 to 2100-12-31, as YYYY-MM-DD"
    projects = request.args.getlist("project")
    if any(not v.isascii() or not v.isdigit() or len(v) > 9 for v in projects):
        problems["project"] = "project must be the id of one of your evaluation projects"
    if any(v not in KINDS for v in request.args.getlist("kind")):
        problems["kind"] = "kind must be aggregate or participant"
    if any(v not in FLAG_VALUES for v in request.args.getlist("include_free_text")):
        problems["include_free_text"] = "include_free_text must be true or false"
    return problems


def _secret(user: User) -> bytes | Response:
    try:
        return study_secret()
    except ExportUnavailable as problem:
        records.record_refusal(user, "api", "exports_unavailable")
        return api_error(503, "exports_unavailable", str(problem))


def _key(user: User, scope: ExportScope, secret: bytes) -> bytes | Response:
    try:
        return package_key(scope, secret)
    except ExportUnavailable as problem:
        records.record_refusal(user, "api", "development_secret", kind=scope.kind)
        return api_error(503, "exports_unavailable", str(problem))
    except Refusal as refusal:
        records.record_refusal(user, "api", "project_key_changed", project=scope.project_name)
        return api_error(409, "project_key_changed", refusal.message)


@bp.get("/exports")
@export_limit
@token_required
def exports(user: User) -> Response:
    secret = _secret(user)
    if isinstance(secret, Response):
        return secret
    scope = _scope_from_args(user)
    if isinstance(scope, Response):
        return scope
    secret = _key(user, scope, secret)
    if isinstance(secret, Response):
        return secret
    run = records.ExportRun(user, "api", scope)
    chunks = stream_package(scope, secret, run.complete)
    return records.download(run.guard(chunks), export_filename(scope), "application/zip")


@bp.get("/exports/<file_name>")
@export_limit
@token_required
def export_file(user: User, file_name: str) -> Response:
    table = TABLES_BY_FILE.get(file_name)
    if table is None:
        records.record_refusal(user, "api", "file_not_found")
        return api_error(404, "file_not_found", f"No such file. Files: {', '.join(FILE_NAMES)}.")
    secret = _secret(user)
    if isinstance(secret, Response):
        return secret
    scope = _scope_from_args(user)
    if isinstance(scope, Response):
        return scope
    if table not in tables_for(scope):
        records.record_refusal(user, "api", "file_not_in_package", kind=scope.kind)
        names = ", ".join(t.path for t in tables_for(scope))
        return api_error(
            404, "file_not_found", f"No such file in a {scope.kind} package. Files: {names}."
        )
    secret = _key(user, scope, secret)
    if isinstance(secret, Response):
        return secret
    run = records.ExportRun(user, "api", scope, file_name)
    chunks = stream_csv(table, scope, secret, run.complete)
    filename = export_filename(scope, "csv").replace(".csv", f"-{table.name}.csv")
    return records.download(run.guard(chunks), filename, "text/csv")


def _spec() -> dict[str, Any]:
    # From the configured address, never the request's Host header (which anyone can set).
    path = url_for("api.exports").rsplit("/exports", 1)[0]
    server = current_app.config["PUBLIC_URL"].rstrip("/") + path
    return openapi_spec(server, FILE_NAMES)


@bp.get("/openapi.json")
@public
def openapi_json() -> Response:
    return jsonify(_spec())


@bp.get("/docs")
@public
def docs() -> str:
    """The API described for people: the same description, as a page."""
    spec = _spec()
    return render_template(
        "evaluation/api_docs.html",
        spec=spec,
        server=spec["servers"][0]["url"],
        parameters=spec["components"]["parameters"],
    )
