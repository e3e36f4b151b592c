"""The organisational view: aggregates for the viewer's regions only, small counts as a
range, and nothing personal."""

from __future__ import annotations

from flask import Flask

from futuredoctor.educators import mentor_offers, overview, pairings
from futuredoctor.extensions import db
from futuredoctor.models import Role
from tests.educators.samples import rate
from tests.factories import make_user, shipped_pilot
from tests.helpers import login


def _champions(code: str, n: int, level: int) -> list:
    people = [make_user(roles=[(Role.CHAMPION, shipped_pilot(code).region)]) for _ in range(n)]
    for person in people:
        rate(person, {"ETP7": level, "WB1": 2})
    return people


def test_small_counts_are_shown_as_a_range() -> None:
    assert [overview.shown_count(n) for n in (0, 1, 7, 8, 40)] == [
        "0",
        "1 to 7",
        "1 to 7",
        "8",
        "40",
    ]


def test_regional_lead_sees_their_region_only(client, app: Flask) -> None:
    london = _champions("LON", 8, 3)
    _champions("SW", 2, 5)
    offer = mentor_offers.save_offer(london[0], 2, ["ETP7"], "either", "", True)
    pairings.respond(london[0], pairings.request_mentor(london[1], offer, "Hi"), "accept", "")
    lead = make_user(roles=[(Role.REGIONAL_LEAD, shipped_pilot("LON").region)])
    db.session.commit()
    login(client, lead)
    page = client.get("/educators/overview")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Active mentoring pairs: <strong>1 to 7</strong>" in text
    rows = {d.code: d for d in overview.domain_levels([shipped_pilot("LON").region_id])}
    assert rows["ETP"].by_level == {3: 8} and rows["ETP"].shown_educators == "8"
    assert rows["WB"].shown(2) == "8" and "Level 5" in text
    assert overview.domain_levels([shipped_pilot("SW").region_id])[0].shown_educators == "1 to 7"
    # What the page shows is stored for the region: the same figures, read back whole.
    london_ids = [shipped_pilot("LON").region_id]
    domains, pairs, _ = overview.stored_overview(london_ids)
    assert (domains, pairs) == (overview.domain_levels(london_ids), 1)
    assert client.get("/educators/overview?region=SW").status_code == 404
    assert client.get("/educators/overview?region=LON").status_code == 200


def test_educators_cannot_open_the_overview(client, app: Flask) -> None:
    champion = make_user(roles=[(Role.CHAMPION, shipped_pilot("LON").region)])
    db.session.commit()
    login(client, champion)
    assert client.get("/educators/overview").status_code == 403
