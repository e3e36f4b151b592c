"""The learning blueprint, and what other features contribute to its module page."""

from __future__ import annotations

from flask import Blueprint

from futuredoctor.content.choices import DomainChoice
from futuredoctor.learning import services
from futuredoctor.models import ModuleVersion

bp = Blueprint("learning", __name__, template_folder="templates")


@bp.app_template_global()
def version_domains(version: ModuleVersion) -> tuple[DomainChoice, ...]:
    """A version's GPC domains for any template, from the kept content choices (reading
    ``version.domains`` would load them)."""
    return services.version_domains(version)

# Templates other features contribute to the bottom of the module page, in order.
MODULE_PAGE_PARTIALS: list[str] = []
MODULE_PAGE_PARTIALS.append("livinglab/_you_said_we_did.html")  # living lab
MODULE_PAGE_PARTIALS.append("community/_module_network.html")  # trailblazer network
MODULE_PAGE_PARTIALS.append("livinglab/_other_pilots.html")  # other pilots' trends
