"""Home pages for each role, and the service's static information pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from futuredoctor.main.services import home_sections
from futuredoctor.permissions import public

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
@public
def home() -> str:
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return render_template("main/home.html", sections=home_sections(current_user))


@bp.route("/accessibility")
@public
def accessibility() -> str:
    return render_template("main/accessibility.html")


@bp.route("/privacy")
@public
def privacy() -> str:
    return render_template("main/privacy.html")
