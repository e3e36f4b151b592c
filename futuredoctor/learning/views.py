"""The module catalogue and module pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from futuredoctor.content import render_markdown
from futuredoctor.learning.services import gpc_domains, latest_versions, module_by_slug
from futuredoctor.permissions import signed_in

bp = Blueprint("learning", __name__, template_folder="templates")

# Templates other features contribute to the bottom of the module page, in order.
MODULE_PAGE_PARTIALS: list[str] = []


@bp.route("/modules")
@signed_in
def catalogue() -> tuple[str, int] | str:
    domains = gpc_domains()
    selected = request.args.get("domain") or None
    if selected and selected not in {d.code for d in domains}:
        return render_template(
            "learning/catalogue.html",
            versions=[],
            domains=domains,
            selected=None,
            error=f"“{selected}” is not a GPC domain. Choose one from the list.",
        ), 400
    return render_template(
        "learning/catalogue.html",
        versions=latest_versions(selected),
        domains=domains,
        selected=selected,
        error=None,
    )


@bp.route("/modules/<slug>")
@signed_in
def module(slug: str) -> str:
    found = module_by_slug(slug)
    if found is None or not found.versions:
        abort(404)
    version = found.latest
    return render_template(
        "learning/module.html",
        module=found,
        version=version,
        body=render_markdown(version.body_markdown),
        module_page_partials=MODULE_PAGE_PARTIALS,
    )
