"""The blueprint object and helpers the enrolment view modules share."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for

from futuredoctor.paging import Page, pagination_params

bp = Blueprint("enrolment", __name__, template_folder="templates")



def pagination(page: Page, **fixed: Any) -> dict[str, Any] | None:
    args = {**(request.view_args or {}), **request.args.to_dict(), **fixed}

    def url_for_page(number: int) -> str:
        return url_for(request.endpoint or "", **{**args, "page": str(number)})

    return pagination_params(page, url_for_page)
