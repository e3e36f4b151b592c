"""Champion profiles, the directory, messages to champions and the champion's region page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.exceptions import NotFound

from futuredoctor.community import messages, profiles
from futuredoctor.community.profiles import DirectoryFilters
from futuredoctor.extensions import db
from futuredoctor.models import (
    ChampionInterest,
    ChampionMessage,
    ChampionProfile,
    InterestKind,
    Notification,
    ProfileVisibility,
    Role,
)
from futuredoctor.refusals import Refusal
from tests.community.champions import make_champion, region
from tests.factories import make_user
from tests.helpers import login

HOMELESSNESS = "Homelessness and inclusion health"


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "region": "LON",
        "profession": "Doctor",
        "job_title": "GP partner",
        "about": "Twenty years in inner-city general practice.",
        "availability": "Tuesday afternoons",
        "domains": ["GPC5", "GPC6"],
        "priorities": [HOMELESSNESS],
        "offers": ["talks", "shadowing"],
        "visibility": "public",
    }
    data.update(overrides)
    return data


def test_a_champion_creates_and_changes_their_profile(app: Any, client: FlaskClient) -> None:
    user = make_user(roles=[(Role.CHAMPION, region("LON"))])
    db.session.commit()
    login(client, user)
    assert client.get("/champion/profile").status_code == 200
    response = client.post("/champion/profile", data=_form())
    assert response.status_code == 302
    profile = profiles.profile_for(user.id)
    assert profile is not None
    assert (profile.domains, profile.offers) == (["GPC5", "GPC6"], ["talks", "shadowing"])
    assert profile.visibility is ProfileVisibility.PUBLIC
    page = client.get(response.location).get_data(as_text=True)
    assert "GP partner" in page and user.email not in page  # never the address

    assert client.post("/champion/profile", data=_form(offers=["mentoring"])).status_code == 302
    db.session.expire_all()
    assert profiles.profile_for(user.id).offers == ["mentoring"]  # type: ignore[union-attr]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChampionInterest)) == 4


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"region": "SW"}, "Choose a region from the list"),
        ({"domains": ["GPC99"]}, "Choose GPC domains from the list"),
        ({"offers": ["juggling"]}, "Choose what you offer from the list"),
        ({"priorities": ["Not a priority"]}, "Choose local health priorities from the list"),
        ({"profession": ""}, "Enter your profession"),
        ({"job_title": "x" * 201}, "Role must be 200 characters or fewer"),
        ({"visibility": "everyone"}, "Choose who can see your profile"),
        ({"about": "a\x00b"}, "About you"),
    ],
)
def test_bad_profile_input_names_the_field_and_writes_nothing(
    app: Any, client: FlaskClient, overrides: dict[str, Any], message: str
) -> None:
    user = make_user(roles=[(Role.CHAMPION, region("LON"))])
    db.session.commit()
    login(client, user)
    response = client.post("/champion/profile", data=_form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert profiles.profile_for(user.id) is None


def test_the_service_refuses_a_region_the_person_does_not_champion(app: Any) -> None:
    user = make_user(roles=[(Role.CHAMPION, region("LON"))])
    data = profiles.ProfileInput("SW", "Doctor", "GP", "", "", ProfileVisibility.PUBLIC)
    with pytest.raises(Refusal) as refused:
        profiles.save_profile(user, data)
    assert refused.value.field == "region"


def test_the_directory_filters_and_searches(app: Any) -> None:
    make_champion(
        "LON",
        given_name="Ada",
        family_name="Okafor",
        domains=["GPC5"],
        priorities=[HOMELESSNESS],
        offers=["talks"],
        visibility=ProfileVisibility.PUBLIC,
    )
    make_champion(
        "SW",
        given_name="Ben",
        family_name="Tremayne",
        profession="Pharmacist",
        offers=["shadowing"],
        about="Coastal 100% rural practice",
    )

    def names(signed_in: bool = True, **filters: str) -> list[str]:
        wanted = DirectoryFilters(**filters)
        stmt = profiles.directory_query(profiles.shape_of(wanted), signed_in)
        return [p.user.given_name for p in db.session.scalars(stmt, profiles.values_of(wanted))]

    assert names() == ["Ada", "Ben"]
    assert names(signed_in=False) == ["Ada"]  # only public profiles when signed out
    assert names(region="SW") == ["Ben"]
    assert names(domain="GPC5") == ["Ada"]
    assert names(priority=HOMELESSNESS) == ["Ada"]
    assert names(profession="pharmacist") == ["Ben"]
    assert names(offer="shadowing") == ["Ben"]
    assert names(text="okaf") == ["Ada"]
    assert names(text="100%") == ["Ben"]  # a literal percent sign, not a wildcard
    assert names(text="%") == ["Ben"]


def test_a_search_counts_with_its_page_and_a_disabled_account_is_not_listed(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(profiles, "PER_PAGE", 2)
    for n in range(3):
        make_champion("LON", given_name=f"Mentor{n}", family_name="Smith", about="Mentoring")
    gone, _ = make_champion("LON", given_name="Gone", family_name="Smith", about="Mentoring")
    make_champion("SW", given_name="Other", family_name="Zed", about="Talks")
    gone.is_enabled = False
    db.session.commit()

    def page(number: int, **filters: str) -> tuple[list[str], int]:
        found = profiles.directory(DirectoryFilters(**filters), True, number)
        return [p.user.given_name for p in found.items], found.total

    assert page(1, text="MENTORING") == (["Mentor0", "Mentor1"], 3)
    assert page(2, text="mentoring") == (["Mentor2"], 3)
    assert page(1, text="mentor2 smith") == (["Mentor2"], 1)  # by name
    assert page(1, text="nobody") == ([], 0)
    assert page(1) == (["Mentor0", "Mentor1"], 4)
    with pytest.raises(NotFound):
        profiles.directory(DirectoryFilters(text="mentoring"), True, 3)


def test_signed_out_people_see_only_public_profiles(app: Any, client: FlaskClient) -> None:
    _, public = make_champion(visibility=ProfileVisibility.PUBLIC, family_name="Public")
    _, private = make_champion(family_name="Private")
    db.session.commit()
    page = client.get("/champions").get_data(as_text=True)
    assert "Public" in page and "Private" not in page
    assert client.get(f"/champions/{public.id}").status_code == 200
    assert client.get(f"/champions/{private.id}").status_code == 404
    assert client.get(f"/champions/{2**31 - 1}").status_code == 404
    reader = make_user(roles=[(Role.PARTICIPANT, None)])
    db.session.commit()
    login(client, reader)
    assert "Private" in client.get("/champions").get_data(as_text=True)
    assert client.get(f"/champions/{private.id}").status_code == 200


def test_bad_directory_filters_are_named(app: Any, client: FlaskClient) -> None:
    response = client.get("/champions?region=XX&text=" + "a" * 101)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose a region from the list" in page
    assert "Search must be 100 characters or fewer" in page
    assert client.get("/champions?page=0").status_code == 404


def test_a_message_reaches_the_champions_inbox_and_the_outbox(
    app: Any, client: FlaskClient
) -> None:
    champion, profile = make_champion()
    sender = make_user(roles=[(Role.PARTICIPANT, None)], given_name="Sam")
    db.session.commit()
    login(client, sender)
    response = client.post(f"/champions/{profile.id}/message", data={"body": "Can I shadow you?"})
    assert response.status_code == 302
    note = db.session.scalar(sa.select(Notification))
    assert note is not None and note.recipient_id == champion.id
    assert note.kind == messages.MESSAGE_KIND and "Can I shadow you?" in note.body
    assert note.sent_at is None  # the scheduler emails it
    empty = client.post(f"/champions/{profile.id}/message", data={"body": "  "})
    assert empty.status_code == 400 and "Enter your message" in empty.get_data(as_text=True)
    login(client, champion)
    home = client.get("/").get_data(as_text=True)
    assert "from Sam" in home


def test_messages_are_limited_per_sender(
    app: Any, client: FlaskClient, frozen_now: Any, time_machine: Any
) -> None:
    _, first = make_champion()
    _, second = make_champion()
    sender = make_user(roles=[(Role.PARTICIPANT, None)])
    db.session.commit()
    login(client, sender)
    for n in range(messages.MESSAGES_PER_HOUR):
        target = first if n % 2 else second
        assert (
            client.post(f"/champions/{target.id}/message", data={"body": f"Hello {n}"}).status_code
            == 302
        )
    refused = client.post(f"/champions/{first.id}/message", data={"body": "One more"})
    assert refused.status_code == 400
    assert "messages to champions in the last hour" in refused.get_data(as_text=True)
    count = sa.select(sa.func.count()).select_from(ChampionMessage)
    assert db.session.scalar(count) == messages.MESSAGES_PER_HOUR
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 5
    time_machine.shift(timedelta(hours=1, seconds=1))
    assert client.post(f"/champions/{first.id}/message", data={"body": "Later"}).status_code == 302


def test_a_champion_cannot_message_themselves(app: Any) -> None:
    user, profile = make_champion()
    with pytest.raises(Refusal):
        messages.send_message(user, profile, "Hello me")


def test_a_champion_sees_their_own_region_page_and_no_other(app: Any, client: FlaskClient) -> None:
    user, _ = make_champion("LON", family_name="Londoner", offers=["shadowing", "talks"])
    make_champion("SW", family_name="Westcountry")
    db.session.commit()
    login(client, user)
    page = client.get("/regions/LON")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Champions in London" in text and "Londoner" in text and "Westcountry" not in text
    offers = text[text.index("Offers: ") :]
    assert offers.index("hadowing") < offers.index("alks")  # as the champion listed them
    assert "enrolled" not in text  # the region's figures are for regional leads
    assert client.get("/regions/SW").status_code == 404


def test_the_region_page_shows_a_bounded_number_of_champions_and_links_to_the_rest(
    app: Any, client: FlaskClient
) -> None:
    shown = profiles.REGION_CHAMPIONS_SHOWN
    users = [make_champion("LON", family_name=f"Name{n:02d}")[0] for n in range(shown)]
    db.session.commit()
    login(client, users[0])
    text = client.get("/regions/LON").get_data(as_text=True)
    assert all(f"Name{n:02d}" in text for n in range(shown))
    assert "in the champions directory" not in text  # all of them shown
    make_champion("LON", family_name=f"Name{shown:02d}")
    db.session.commit()
    text = client.get("/regions/LON").get_data(as_text=True)
    assert f"Name{shown:02d}" not in text  # the first by name only
    assert "/champions?region=LON" in text and "in the champions directory" in text


def test_the_home_page_shows_how_complete_the_profile_is(app: Any, client: FlaskClient) -> None:
    user = make_user(roles=[(Role.CHAMPION, region("LON"))])
    db.session.commit()
    login(client, user)
    assert "Create your profile" in client.get("/").get_data(as_text=True)
    make_champion_profile = profiles.ProfileInput(
        "LON", "Doctor", "GP", "", "", ProfileVisibility.SIGNED_IN, offers=["talks"]
    )
    profiles.save_profile(user, make_champion_profile)
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "43% complete" in home and "your availability" in home


def test_the_directory_costs_the_same_queries_for_more_champions(
    app: Any, client: FlaskClient, count_queries: Any
) -> None:
    reader = make_user(roles=[(Role.PARTICIPANT, None)])
    make_champion(offers=["talks"], domains=["GPC1"])
    db.session.commit()
    login(client, reader)
    client.get("/champions")
    with count_queries() as few:
        assert client.get("/champions").status_code == 200
    for _ in range(15):
        make_champion(offers=["talks", "mentoring"], domains=["GPC2"])
    db.session.commit()
    client.get("/champions")  # new profiles: the filter's professions are read afresh once
    with count_queries() as many:
        assert client.get("/champions").status_code == 200
    assert len(many) == len(few)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChampionProfile)) == 16


def test_the_directory_shows_each_profiles_offers_in_the_order_given(app: Any) -> None:
    """The offers come with the page's own statement: each profile's own, in its order
    (by when each was added, compared as numbers, not as text)."""
    def last_interest() -> int:
        return db.session.scalar(sa.select(sa.func.max(ChampionInterest.id))) or 0

    while last_interest() < 7:  # so that the ids of the first's offers pass from 9 to 10
        make_champion(offers=["talks"], domains=[])
        db.session.flush()
    owner, first = make_champion(
        offers=["shadowing", "talks", "careers_advice"], domains=["GPC2"]
    )
    _, second = make_champion(offers=[], domains=["GPC3"])
    db.session.commit()
    ids = [i.id for i in first.interests if i.kind is InterestKind.OFFER]
    assert len(str(min(ids))) < len(str(max(ids)))
    for text in ("", owner.family_name):  # the list, and a search
        page = profiles.directory(DirectoryFilters(text=text), True, 1)
        assert page.offers[first.id] == ["shadowing", "talks", "careers_advice"]
        if not text:
            assert page.offers[second.id] == []
            assert len(page.offers) == len(page.items) == page.total
