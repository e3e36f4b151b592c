"""The module catalogue: domain names beside codes, search and a filter by domain."""

from __future__ import annotations

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
