"""Records for the route-permission walk: one future release in London, one in the South
West, returned as placeholder -> id."""

from __future__ import annotations

import sqlalchemy as sa

from futuredoctor.extensions import db
from futuredoctor.models import Cohort
from tests.factories import make_module, make_release


def route_samples() -> dict[str, int]:
    version = make_module(title="Route sample module").latest
    cohorts = {
        c.slug: c
        for c in db.session.scalars(
            sa.select(Cohort).where(Cohort.slug.in_(["lon-2026-autumn", "sw-2026-autumn"]))
        )
    }
    london = make_release(version, cohorts["lon-2026-autumn"], days_from_now=10)
    southwest = make_release(version, cohorts["sw-2026-autumn"], days_from_now=10)
    db.session.commit()
    return {"london-release": london.id, "southwest-release": southwest.id}
