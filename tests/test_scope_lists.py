"""The pilot ids a person may act on, as a list: from the grants when they name only
pilots, from the database when a region or an enrolment is involved."""

from __future__ import annotations

from typing import Any

from futuredoctor.extensions import db
from futuredoctor.models import Pilot, Role
from futuredoctor.permissions import Permission, pilot_id_list
from tests.factories import make_region_tree, make_user


def _pilot(region: Any) -> Pilot:
    return region.pilots[0]


def test_pilot_grants_are_read_without_the_database(app: Any, count_queries: Any) -> None:
    first, second = _pilot(make_region_tree()), _pilot(make_region_tree())
    person = make_user(roles=[(Role.LEAD_EDUCATOR, second), (Role.LEAD_EDUCATOR, first)])
    db.session.flush()
    with count_queries() as statements:
        found = pilot_id_list(person, Permission.TRIAGE_FEEDBACK)
    assert found == sorted([first.id, second.id])
    assert statements == []


def test_a_region_grant_lists_the_regions_pilots(app: Any) -> None:
    region = make_region_tree()
    make_region_tree()  # another region's pilot stays out
    lead = make_user(roles=[(Role.REGIONAL_LEAD, region)])
    db.session.flush()
    assert pilot_id_list(lead, Permission.VIEW_PILOT) == [p.id for p in region.pilots]


def test_national_admins_get_every_pilot(app: Any) -> None:
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.flush()
    assert pilot_id_list(admin, Permission.VIEW_PILOT) is None
