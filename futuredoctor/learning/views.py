"""The module catalogue and module pages. The participant's own pages live in
``progress_views`` and ``account_views``, on the same blueprint."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask_login import current_user

from futuredoctor.content import render_markdown
from futuredoctor.learning.blueprint import MODULE_PAGE_PARTIALS, bp
from futuredoctor.learning.evidence import needs_register, registers_for
from futuredoctor.learning.feedback import entry_and_feedback
from futuredoctor.learning.forms import ActionForm, StartForm
from futuredoctor.learning.services import (
    catalogue_domains,
    latest_versions_page,
    module_by_slug,
    version_domains,
)
from futuredoctor.learning.upcoming import later_versions, next_release_of
from futuredoctor.models import Role
from futuredoctor.paging import page_number, pagination_params
from futuredoctor.permissions import Permission, has_permission, signed_in


@bp.route("/modules")
@signed_in
def catalogue() -> tuple[str, int] | str:
    domains = catalogue_domains()
    selected = request.args.get("domain") or None
    typed = "".join(ch for ch in request.args.get("q", "") if ch.isprintable())
    text = " ".join(typed.split())[:100] or None
    if selected and selected not in {d.code for d in domains}:
        return render_template(
            "learning/catalogue.html",
            page=None,
            pagination=None,
            domains=domains,
            selected=None,
            text=text,
            error=f"“{selected}” is not a GPC domain. Choose one from the list.",
        ), 400
    page = latest_versions_page(page_number(request.args.get("page")), selected, text)
    kept: dict[str, Any] = {
        name: value for name, value in (("q", text), ("domain", selected)) if value
    }
    return render_template(
        "learning/catalogue.html",
        page=page,
        pagination=pagination_params(
            page, lambda n: url_for("learning.catalogue", **kept, page=str(n))
        ),
        domains=domains,
        selected=selected,
        text=text,
        error=None,
    )


@bp.route("/modules/<slug>")
@signed_in
def module(slug: str) -> str:
    """A participant sees the version released to them (with their progress); everyone
    else, and a participant before release, sees the newest version."""
    found = module_by_slug(slug, domains=False)
    if found is None or not found.versions:
        abort(404)
    # Enrolling grants the participant role, so only participants have a journey to read:
    # for staff (a national admin may take modules too) that statement would find nothing.
    takes_modules = Role.PARTICIPANT in current_user.roles
    entry, feedback = entry_and_feedback(current_user, slug) if takes_modules else (None, None)
    version = entry.version if entry is not None else found.latest
    not_released = entry is None and Role.PARTICIPANT in current_user.roles
    later = (
        later_versions(found, entry.version.number, entry.reaches)
        if entry is not None
        else []
    )
    return render_template(
        "learning/module.html",
        module=found,
        version=version,
        body=render_markdown(version.body_markdown),
        domains=version_domains(version),
        entry=entry,
        feedback=feedback,
        not_released=not_released,
        next_release=next_release_of(current_user, found) if not_released else None,
        later=later,
        needs_register=needs_register(version),
        registers=registers_for(current_user, found.id)
        if needs_register(version) and has_permission(current_user, Permission.SIGN_ATTENDANCE)
        else [],
        action_form=ActionForm(),
        start_form=StartForm(),
        module_page_partials=MODULE_PAGE_PARTIALS,
    )


# The participant's pages register their routes on ``bp``.
from futuredoctor.learning import account_views, evidence_views, progress_views  # noqa: E402, F401
