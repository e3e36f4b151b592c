"""The educators blueprint and what its view modules share."""

from __future__ import annotations

from flask import Blueprint

from futuredoctor.permissions import Permission

bp = Blueprint("educators", __name__, template_folder="templates", url_prefix="/educators")
DEVELOP = Permission.EDUCATOR_DEVELOPMENT
MENTOR = Permission.MENTORING
OVERVIEW = Permission.VIEW_EDUCATOR_OVERVIEW
