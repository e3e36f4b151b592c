"""No page's query count grows with the data behind it.

Every GET route is opened by every role that may open it (the route sweep's people and
samples), before and after ``tests.growth.grow`` adds rows of every kind in their scope. A
page that runs more statements the second time runs one per row somewhere: at national size
that is thousands. New routes are covered without being listed here.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from futuredoctor.extensions import db
from futuredoctor.models import Role, User
from futuredoctor.permissions import access_rule
from tests.community.champions import ORGANISER_ONLY
from tests.factories import PASSWORD
from tests.growth import grow
from tests.test_route_permissions import (
    SAMPLES,
    _expected,
    _make_person,
    _rules,
    dynamic_samples,
    placeholder_samples,
)

# Pages allowed to grow, each with the reason. Keep this empty.
KNOWN_GROWTH: dict[str, str] = {}


def page_urls(
    app: Flask, role: Role, dynamic: dict[str, Any], placeholders: dict[Any, Any]
) -> list[tuple[str, str]]:
    """(endpoint, url) of every GET page ``role`` may open, inside its scope."""
    urls = []
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        info = access_rule(app.view_functions[rule.endpoint])
        if info is None or info[0] == "public" or 200 not in _expected(info, role, True):
            continue
        if rule.endpoint in ORGANISER_ONLY:  # only the organiser may open them; see tests/community
            continue
        values = {
            arg: placeholders.get(v, v)
            for arg in rule.arguments
            for v in [(dynamic.get(arg) or SAMPLES[(rule.endpoint, arg)])[0]]
        }
        with app.test_request_context():
            urls.append((rule.endpoint, app.url_for(rule.endpoint, **values)))
    return urls


def _count(app: Flask, client: Any, url: str, count_queries: Any) -> tuple[int, int]:
    db.session.remove()  # as in a server: each request starts with an empty session
    with count_queries() as statements:
        status = client.get(url).status_code
    return status, len(statements)


def test_no_page_runs_more_queries_with_more_data(
    app: Flask, count_queries: Any, frozen_now: Any
) -> None:
    """The clock stands still: a session's "last seen" is written at most once a minute,
    which would otherwise add a statement to whichever request crosses the minute."""
    people: dict[Role, User] = {}
    for role in Role:
        person = _make_person(role)
        assert person is not None
        people[role] = person
    placeholders = placeholder_samples()
    ids = [person.id for person in people.values()]
    clients = {}
    pages: dict[Role, list[tuple[str, str]]] = {}
    for role, person in people.items():
        clients[role] = app.test_client()
        clients[role].post("/sign-in", data={"email": person.email, "password": PASSWORD})
        pages[role] = page_urls(app, role, dynamic_samples(person), placeholders)
    before: dict[tuple[Role, str], int] = {}
    for role, urls in pages.items():
        for _, url in urls:
            clients[role].get(url)  # warm up: caches filled once per process
            status, count = _count(app, clients[role], url, count_queries)
            assert status == 200, f"{role.value} {url}: {status}"
            before[(role, url)] = count
    grow(ids)
    grown = []
    for role, urls in pages.items():
        for endpoint, url in urls:
            status, count = _count(app, clients[role], url, count_queries)
            assert status == 200, f"{role.value} {url} after growth: {status}"
            if count > before[(role, url)] and endpoint not in KNOWN_GROWTH:
                grown.append(f"{role.value} {url}: {before[(role, url)]} -> {count} queries")
    assert grown == []
