"""The blueprint object and helpers the enrolment view modules share."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, request, url_for

from futuredoctor.models import utcnow
from futuredoctor.paging import Page, pagination_params
from futuredoctor.timezones import local_zone

bp = Blueprint("enrolment", __name__, template_folder="templates")



def london_today() -> date:
    """Enrolment windows and cohort dates are days in England."""
    return utcnow().astimezone(local_zone()).date()


def pagination(page: Page, **fixed: Any) -> dict[str, Any] | None:
    args = {**(request.view_args or {}), **request.args.to_dict(), **fixed}

    def url_for_page(number: int) -> str:
        return url_for(request.endpoint or "", **{**args, "page": str(number)})

    return pagination_params(page, url_for_page)
