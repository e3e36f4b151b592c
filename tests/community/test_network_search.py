"""Searching the network by words: every word must be found, in any case and in its other
English forms on PostgreSQL (the indexed words of each post, kept as posts change);
searches with no such words read the text itself, as SQLite always does."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.exceptions import NotFound

from futuredoctor.community import network
from futuredoctor.extensions import db
from futuredoctor.models import Role
from tests.community.network import make_post
from tests.factories import make_user


@pytest.fixture
def reader(app: Any, frozen_now: Any) -> Any:
    user = make_user(roles=[(Role.PARTICIPANT, None)])
    make_post(title="Huddles before clinic", body="Ten minutes at the start of the day.")
    make_post(title="Discharge", body="We wrote a HANDOVER checklist (v2.1) for 100% of wards.")
    db.session.commit()
    return user


def _titles(user: Any, text: str) -> list[str]:
    return [p.title for p in network.posts(user, network.PostFilters(text=text), 1).items]


def test_every_word_is_needed_in_any_case(reader: Any) -> None:
    assert _titles(reader, "handover CHECKLIST") == ["Discharge"]
    assert _titles(reader, "handover huddles") == []
    assert _titles(reader, "huddle") == ["Huddles before clinic"]  # a shorter form


def test_common_words_and_punctuation_are_read_as_text(reader: Any) -> None:
    assert _titles(reader, "the") == ["Huddles before clinic"]
    assert _titles(reader, "%") == ["Discharge"]
    assert _titles(reader, "100%") == ["Discharge"]
    for awkward in ("it's", "a\\b", "'quoted' & | ! :* <->", "(v2.1)"):
        assert isinstance(_titles(reader, awkward), list)  # never a query error


def test_a_changed_post_is_found_by_its_new_words(reader: Any) -> None:
    post = make_post(title="Rota swaps", body="Nothing yet.")
    db.session.commit()
    assert _titles(reader, "rota") == ["Rota swaps"]
    network.update_post(
        post.author,
        post,
        network.PostInput(title="Weekend cover", body="Nothing yet.", region_code="LON"),
    )
    db.session.commit()
    assert _titles(reader, "rota") == []
    assert _titles(reader, "weekend cover") == ["Weekend cover"]


def test_only_the_first_words_are_searched(reader: Any) -> None:
    words = "handover " * network.MAX_SEARCH_WORDS + "missing"
    assert _titles(reader, words) == ["Discharge"]


def test_a_search_counts_fewer_matches_than_a_list(
    reader: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network, "SEARCH_COUNT_CAP", 1)
    found = network.posts(reader, network.PostFilters(text="wards"), 1)
    assert (found.total, found.capped) == (1, False)
    make_post(title="The wards again", body="Ten minutes on the wards.")
    db.session.commit()
    found = network.posts(reader, network.PostFilters(text="wards"), 1)
    assert (found.total, found.capped, found.more) == (1, True, False)  # "more than 1"
    listed = network.posts(reader, network.PostFilters(), 1)
    assert (listed.total, listed.capped) == (3, False)


def test_pages_stop_at_the_count_and_carry_it(reader: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count comes in the page's own statement: every page carries it, and a page past
    the matches, or past what is counted, is not there."""
    monkeypatch.setattr(network, "PER_PAGE", 1)
    monkeypatch.setattr(network, "COUNT_CAP", 2)
    make_post(title="Third", body="The newest.")
    db.session.commit()
    listed = [network.posts(reader, network.PostFilters(), n) for n in (1, 2)]
    assert [p.items[0].title for p in listed] == ["Third", "Discharge"]
    assert [(p.total, p.capped) for p in listed] == [(2, True), (2, True)]
    with pytest.raises(NotFound):  # a third post exists, but past the count
        network.posts(reader, network.PostFilters(), 3)
    found = network.posts(reader, network.PostFilters(text="minutes"), 1)
    assert (found.total, found.capped, [p.title for p in found.items]) == (
        1,
        False,
        ["Huddles before clinic"],
    )
    with pytest.raises(NotFound):
        network.posts(reader, network.PostFilters(text="minutes"), 2)
    nothing = network.posts(reader, network.PostFilters(text="absent"), 1)
    assert (nothing.total, nothing.items) == (0, [])
    with pytest.raises(NotFound):
        network.posts(reader, network.PostFilters(text="absent"), 2)


def test_a_page_and_its_count_are_one_statement(reader: Any, count_queries: Any) -> None:
    """Counted apart, a search's matches were planned and read twice."""
    for filters in (network.PostFilters(), network.PostFilters(text="handover", domain="GPC5")):
        network.posts(reader, filters, 1)  # a search's words are parsed once per process
        with count_queries() as statements:
            network.posts(reader, filters, 1)
        assert len(statements) == 1
