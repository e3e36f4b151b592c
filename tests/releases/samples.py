"""Records for the route-permission walk: one future release in London, one in the South
West, returned as placeholder -> id."""

from __future__ import annotations

from futuredoctor.extensions import db
from tests.factories import current_cohorts, make_module, make_release


def route_samples() -> dict[str, int]:
    version = make_module(title="Route sample module").latest
    cohorts = current_cohorts()
    london = make_release(version, cohorts["lon-current"], days_from_now=10)
    southwest = make_release(version, cohorts["sw-current"], days_from_now=10)
    db.session.commit()
    return {"london-release": london.id, "southwest-release": southwest.id}
