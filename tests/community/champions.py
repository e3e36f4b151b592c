"""Champion profiles for tests, and the route-permission walk's sample."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from futuredoctor.community.profiles import ProfileInput, save_profile
from futuredoctor.extensions import db
from futuredoctor.models import ChampionProfile, ProfileVisibility, Region, Role, User
from tests.factories import make_user


def region(code: str) -> Region:
    found = db.session.scalar(sa.select(Region).where(Region.code == code))
    assert found is not None
    return found


def make_champion(
    code: str = "LON",
    *,
    visibility: ProfileVisibility = ProfileVisibility.SIGNED_IN,
    **fields: Any,
) -> tuple[User, ChampionProfile]:
    home = region(code)
    user = make_user(
        roles=[(Role.CHAMPION, home)],
        **{k: fields.pop(k) for k in ("given_name", "family_name") if k in fields},
    )
    data = ProfileInput(
        region_code=code,
        profession=fields.pop("profession", "Doctor"),
        job_title=fields.pop("job_title", "GP partner"),
        about=fields.pop("about", ""),
        availability=fields.pop("availability", ""),
        visibility=visibility,
        domains=fields.pop("domains", []),
        priorities=fields.pop("priorities", []),
        offers=fields.pop("offers", []),
    )
    assert not fields, fields
    return user, save_profile(user, data)


def route_samples() -> dict[str, int]:
    """A public profile and a public opportunity: both answer every signed-in role (and
    signed-out people, where the route is public) alike."""
    organiser, profile = make_champion("SW", visibility=ProfileVisibility.PUBLIC)
    opportunity = make_opportunity(organiser, region_code="SW", is_public=True)
    db.session.commit()
    return {"public-champion": profile.id, "public-opportunity": opportunity.id}


# Organiser-only pages (and a network post's author-only ones): everyone the route walk
# signs in as is someone else, so "not found".
ORGANISER_ONLY = {
    "community.opportunity_change",
    "community.opportunity_registrations",
    "community.attendance",
    "community.network_edit",
    "community.network_delete",
}


def opportunity_input(**overrides: Any) -> Any:
    """A valid opportunity a fortnight away, 10:00-12:00 UK time, closing the day before."""
    from datetime import time, timedelta

    from futuredoctor.community.opportunities import OpportunityInput
    from tests.dates import today

    day = overrides.pop("start_day", today() + timedelta(days=14))
    values: dict[str, Any] = {
        "kind": "taster_day",
        "title": "Taster day: inclusion health",
        "description": "A day with the street medicine team.",
        "location": "Whitechapel health centre",
        "region_code": "LON",
        "start_day": day,
        "start_time": time(10),
        "end_time": time(12),
        "closes_on": day - timedelta(days=1),
        "capacity": 10,
        "is_public": False,
    }
    values.update(overrides)
    return OpportunityInput(**values)


def make_opportunity(organiser: User | None = None, **overrides: Any) -> Any:
    from futuredoctor.community.opportunities import publish

    if organiser is None:
        organiser, _ = make_champion("LON")
    return publish(organiser, opportunity_input(**overrides))
