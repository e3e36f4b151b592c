"""The community blueprint: champions, their profiles and directory. View modules add
their routes to ``bp``; labels every template shows are offered here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for

from futuredoctor.community import network
from futuredoctor.models import OFFER_LABELS, Module, ProfileVisibility
from futuredoctor.paging import Page, pagination_params
from futuredoctor.permissions import actor

bp = Blueprint("community", __name__, template_folder="templates")

VISIBILITY_LABELS = {
    ProfileVisibility.SIGNED_IN: "People signed in to the platform",
    ProfileVisibility.PUBLIC: "Anyone, including people not signed in",
}


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "offer_labels": {o.value: text for o, text in OFFER_LABELS.items()},
        "visibility_labels": VISIBILITY_LABELS,
    }


@bp.app_template_global()
def network_posts_about(module: Module) -> list[network.PostLink]:
    """Data for ``community/_module_network.html`` on the module page: the newest posts
    about the module that the signed-in person may see."""
    return network.posts_about(actor(), module)


def pagination(page: Page) -> dict[str, Any] | None:
    args = request.args.to_dict()

    def url_for_page(number: int) -> str:
        values: dict[str, Any] = {**(request.view_args or {}), **args, "page": str(number)}
        return url_for(request.endpoint or "", **values)

    return pagination_params(page, url_for_page)
