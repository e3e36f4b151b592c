"""The living lab blueprint and what its view modules share: the permission they need,
the status labels every template shows, the module page's "you said, we did" data and
pagination links."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for
from flask_login import current_user

from futuredoctor.livinglab import history as yswd
from futuredoctor.livinglab import other_pilots as others
from futuredoctor.livinglab.workflow import (
    SOURCE_LABELS,
    STATUS_COLOURS,
    STATUS_LABELS,
    item_name,
)
from futuredoctor.models import Module
from futuredoctor.paging import Page, pagination_params
from futuredoctor.permissions import Permission

bp = Blueprint("livinglab", __name__, template_folder="templates")
TRIAGE = Permission.TRIAGE_FEEDBACK


@bp.app_template_global()
def you_said_we_did(module: Module) -> list[yswd.HistoryEntry]:
    """Data for ``livinglab/_you_said_we_did.html`` on the module page."""
    viewer = current_user.id if current_user.is_authenticated else None
    return yswd.history(module, viewer)


@bp.app_template_global()
def other_pilots_trends(module: Module) -> others.OtherPilots | None:
    """Data for ``livinglab/_other_pilots.html``: other pilots' changes and ratings, for
    people who triage feedback (None for everyone else)."""
    if not current_user.is_authenticated:
        return None
    return others.other_pilots(current_user._get_current_object(), module)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "feedback_status_labels": STATUS_LABELS,
        "feedback_status_colours": STATUS_COLOURS,
        "feedback_source_labels": SOURCE_LABELS,
        "feedback_item_name": item_name,
    }


def pagination(page: Page) -> dict[str, Any] | None:
    args = request.args.to_dict()

    def url_for_page(number: int) -> str:
        values: dict[str, Any] = {**(request.view_args or {}), **args, "page": str(number)}
        return url_for(request.endpoint or "", **values)

    return pagination_params(page, url_for_page)
