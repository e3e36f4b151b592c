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
    _, profile = make_champion("SW", visibility=ProfileVisibility.PUBLIC)
    db.session.commit()
    return {"public-champion": profile.id}
