"""The evaluator's own export history page."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for

from futuredoctor.evaluation import records
from futuredoctor.evaluation.history import my_exports
from futuredoctor.evaluation.views import bp
from futuredoctor.paging import page_number, pagination_params
from futuredoctor.permissions import Permission, actor, requires


@bp.get("/my-exports")
@requires(Permission.EXPORT_EVALUATION)
def my_export_history() -> str:
    page = my_exports(actor(), page_number(request.args.get("page")))

    def url_for_page(n: int) -> str:
        values: dict[str, Any] = {"page": str(n)}
        return url_for("evaluation.my_export_history", **values)

    return render_template(
        "evaluation/my_exports.html",
        page=page,
        rows=[(r, records.summary(r)) for r in page.items],
        channels=records.CHANNELS,
        pagination=pagination_params(page, url_for_page),
    )
