"""The organisational view: aggregated milestone levels by domain and active mentoring
pairs, for the regions in the viewer's scope."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, request

from futuredoctor.educators import overview
from futuredoctor.educators.blueprint import OVERVIEW, bp
from futuredoctor.extensions import db
from futuredoctor.models import Region
from futuredoctor.permissions import actor, requires, scope_regions


@bp.get("/overview")
@requires(OVERVIEW)
def overview_page() -> str:
    """All regions in scope together, or one (``?region=LON``); a region outside the
    viewer's scope is a 404."""
    regions = list(
        db.session.scalars(
            scope_regions(sa.select(Region), actor(), OVERVIEW, Region.id).order_by(Region.name)
        )
    )
    code = (request.args.get("region") or "").strip()
    chosen = [r for r in regions if r.code == code] if code else regions
    if code and not chosen:
        abort(404)
    domains, pairs, counted_at = overview.stored_overview(r.id for r in chosen)
    return render_template(
        "educators/overview.html",
        regions=regions,
        chosen=chosen[0] if code else None,
        domains=domains,
        pairs=overview.shown_count(pairs),
        counted_at=counted_at,
        small=overview.SMALL,
    )
