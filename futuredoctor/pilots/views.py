"""Region, pilot and cohort pages. Each loads its record through ``permissions.requires``:
another region's record is a 404."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from futuredoctor.community.follows import recent_in_region
from futuredoctor.community.opportunities import in_region
from futuredoctor.community.profiles import region_champions
from futuredoctor.models import Cohort, Pilot, Region
from futuredoctor.paging import page_number, pagination_params
from futuredoctor.permissions import Permission, can_access, requires
from futuredoctor.pilots.learner_progress import learners_page
from futuredoctor.pilots.services import (
    CohortCounts,
    pilot_list,
    pilot_summary,
    region_pilots,
    upcoming_and_released,
    upcoming_releases,
)

bp = Blueprint("pilots", __name__, template_folder="templates")


@bp.route("/pilots")
@requires(Permission.VIEW_PILOT)
def index() -> str:
    return render_template("pilots/index.html", pilots=pilot_list(current_user))


@bp.route("/regions/<code>")
@requires(Permission.VIEW_REGION_PAGE, region="code")
def region(region: Region) -> str:
    if not can_access(current_user, Permission.VIEW_REGION, region):
        # A champion: the region's priorities, pilots and champions, not its figures.
        return render_template(
            "community/region.html",
            region=region,
            champions=region_champions(region),
            opportunities=in_region(region),
            network_posts=recent_in_region(current_user, region),
        )
    summaries = region_pilots(region)
    upcoming, released = upcoming_and_released([c.id for s in summaries for c in s.pilot.cohorts])
    return render_template(
        "pilots/region.html",
        region=region,
        summaries=summaries,
        upcoming=upcoming,
        released=released,
        opportunities=in_region(region),
        network_posts=recent_in_region(current_user, region),
    )


@bp.route("/pilots/<slug>")
@requires(Permission.VIEW_PILOT, pilot="slug")
def pilot(pilot: Pilot) -> str:
    summary = pilot_summary(pilot)
    cohort_ids = [c.id for c in pilot.cohorts]
    return render_template(
        "pilots/pilot.html",
        pilot=pilot,
        summary=summary,
        upcoming=upcoming_releases(cohort_ids),
    )


@bp.route("/cohorts/<slug>")
@requires(Permission.VIEW_COHORT, cohort="slug")
def cohort(cohort: Cohort) -> str:
    return render_template(
        "pilots/cohort.html",
        cohort=cohort,
        counts=CohortCounts.of(cohort),
        upcoming=upcoming_releases([cohort.id]),
    )


@bp.route("/pilots/<slug>/learners")
@requires(Permission.MANAGE_ENROLMENT, pilot="slug")
def learners(pilot: Pilot) -> str:
    """Progress per learner across the pilot's cohorts: for the lead educator (and the
    pilot's administrator), who already see these people on the cohort rosters."""
    page, rows = learners_page(pilot, page_number(request.args.get("page")))
    pages = pagination_params(
        page, lambda n: url_for("pilots.learners", slug=pilot.slug, page=str(n))
    )
    return render_template(
        "pilots/learners.html", pilot=pilot, page=page, rows=rows, pagination=pages
    )
