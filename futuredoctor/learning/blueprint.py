"""The learning blueprint, and what other features contribute to its module page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("learning", __name__, template_folder="templates")

# Templates other features contribute to the bottom of the module page, in order.
MODULE_PAGE_PARTIALS: list[str] = []
MODULE_PAGE_PARTIALS.append("livinglab/_you_said_we_did.html")  # living lab
MODULE_PAGE_PARTIALS.append("community/_module_network.html")  # trailblazer network
MODULE_PAGE_PARTIALS.append("livinglab/_other_pilots.html")  # other pilots' trends
