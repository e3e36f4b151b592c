"""The module catalogue: domain names beside codes, search and a filter by domain."""

from __future__ import annotations

from futuredoctor.learning.services import CATALOGUE_PAGE
from futuredoctor.models.content_stamp import BUMPED
from tests.factories import make_module
from tests.helpers import login
from tests.learning.conftest import map_domains


def test_catalogue_names_domains_searches_and_filters(client, journey) -> None:
    login(client, journey.participant)
    page = client.get("/modules").get_data(as_text=True)
    domain = journey.modules["old"].versions[0].domains[0]
    assert f"{domain.code}</strong> {domain.title}" in page
    found = client.get("/modules?q=module+recent").get_data(as_text=True)
    assert "Module recent" in found and "Module old" not in found
    assert "matching “module recent”" in found
    nothing = client.get("/modules?q=%25_%00").get_data(as_text=True)
    assert "0 modules" in nothing
    map_domains(journey.modules["today"].versions[0], domain.code)
    both = client.get(f"/modules?q=module&domain={domain.code}").get_data(as_text=True)
    assert "Module old" in both and "Module today" in both and "Module recent" not in both
    assert f"mapped to {domain.code} – {domain.title}" in both
    assert client.get("/modules?domain=NOPE").status_code == 400


def test_catalogue_pages_by_title_at_the_same_cost(
    client, journey, db_session, count_queries
) -> None:
    login(client, journey.participant)
    with count_queries() as few:
        assert client.get("/modules").status_code == 200
    for n in range(CATALOGUE_PAGE + 5):
        make_module(title=f"Zebra paging {n:02d}")
    db_session.commit()
    with count_queries() as many:
        first = client.get("/modules").get_data(as_text=True)
    assert len(many) == len(few)
    assert "(page 1 of" in first and "Zebra paging 24" not in first
    # The catalogue is kept with the content choices: nothing is read beyond the account
    # check (which reads the content stamp too). A request starts with a fresh session;
    # the test's shared one still remembers that it changed the stamp itself.
    db_session.info.pop(BUMPED, None)
    with count_queries() as kept:
        last = client.get("/modules?page=3").get_data(as_text=True)
    assert len(kept) == 1
    assert "Zebra paging 24" in last and "(page 3 of 3)" in last
    assert 'href="/modules?page=2"' in first
    found = client.get("/modules?q=zebra+paging&page=2").get_data(as_text=True)
    assert "25 modules matching “zebra paging”, showing 21 to 25" in found
    assert "Zebra paging 24" in found and "Zebra paging 19" not in found
    assert client.get("/modules?q=zebra+paging&page=3").status_code == 404
    assert client.get("/modules?page=0").status_code == 404
    assert client.get("/modules?page=x").status_code == 404


def test_module_page_shows_gpc_domains_from_the_kept_content(
    client, journey, db_session, count_queries
) -> None:
    login(client, journey.participant)
    version = journey.modules["old"].versions[0]
    slug = journey.modules["old"].slug
    domain = version.domains[0]
    client.get(f"/modules/{slug}")  # the first view reads the content choices
    db_session.info.pop(BUMPED, None)
    with count_queries() as statements:
        page = client.get(f"/modules/{slug}").get_data(as_text=True)
    assert f"{domain.code} – {domain.title}" in page
    assert not [s for s in statements if "framework_domain" in s]
