"""Every form of every role, submitted with hostile input: never a server error, and a
refused submit writes nothing.

The forms are found the way a person finds them: every page a role can open (the same
route walk as ``test_route_permissions``) is read for its ``<form>`` elements, GET search
and filter forms included. Each form is then submitted with some of its fields replaced
by values from a hostile corpus (NUL bytes, invisible-only text, right-to-left overrides,
digits in other scripts, dates in year 0001 and 9999, ids beyond the integer range, text
longer than any column, line breaks in one-line fields, CSV files the csv module cannot
read), chosen by hypothesis. A refused submit (status 400 or more) must leave every
table's row count as it was.

The walk runs on one database: PostgreSQL when the suite has one (it refuses what SQLite
lets through: text longer than a column, integers beyond its range), SQLite otherwise.
Running it on both doubled its time and found nothing the PostgreSQL run does not.
"""

from __future__ import annotations

import io
import os
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from futuredoctor.evaluation.tokens import create_token
from futuredoctor.extensions import db
from futuredoctor.models import Role
from futuredoctor.permissions import access_rule
from tests.community.champions import route_samples as champion_samples
from tests.community.network import route_samples as network_samples
from tests.factories import make_user
from tests.helpers import login
from tests.livinglab.lab import route_samples as living_lab_samples
from tests.pg import find_bindir
from tests.releases.samples import route_samples as release_samples
from tests.test_route_permissions import DYNAMIC_ARGS, SAMPLES, _expected, _make_person, _rules

BEYOND_INT = "99999999999"
CORPUS = [
    "\x00",
    "Ada\x00Lovelace",
    "\u200b\u200b",
    "\ufeff",
    "\u2060\u180e\u200d",
    "\u3164",
    "\u202eevil\u202c.exe",
    "\u202e",
    "\x1b[31mred",
    "line one\nline two",
    "line one\r\nBcc: everyone@example.org",
    "٣",
    "١٢٣٤٥٦٧",
    "２０２６",
    "0001",
    "9999",
    "1/1/0001",
    "31/12/9999",
    "0001-01-01",
    "9999-12-31",
    "31/02/2026",
    BEYOND_INT,
    "-" + BEYOND_INT,
    "2147483648",
    "1e308",
    "x" * 300,
    "long text " * 12_000,  # over every column and every form limit
    "",
    " ",
    "region:\x00",
    "=HYPERLINK(\"http://evil.example\")",
]
FIELD_LIMIT = 140_000  # over the csv module's default field size limit (131,072)
HOSTILE_CSV = [
    b"email,given_name,family_name\r\n" + b'"' + b"a" * FIELD_LIMIT + b'",b,c\r\n',
    b'email,given_name\r\n"never closed,' + b"a" * FIELD_LIMIT,
    b"email,given_name,family_name\r\na@example.org,Ada\x00,L\r\n",
    b"\xff\xfeb\x00a\x00d\x00\x00\x00",
    b"email,given_name,family_name,professional_group,career_stage,cohort\r\n"
    + "a@example.org,\u200b,\u202eL,doctor,FY1,lon-2026-autumn\r\n".encode(),
    b"\x80\x81\x82\xfe",
    b"email," * 10_000 + b"\r\n",
]
HOSTILE_TEXT = st.one_of(
    st.sampled_from(CORPUS),
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Nd"]), max_size=12),
)
EXAMPLES_PER_FORM = 4
_ONE_DATABASE = (
    pytest.param("postgresql", marks=pytest.mark.postgres)
    if os.environ.get("FUTUREDOCTOR_TEST_DATABASE_URL") or find_bindir() is not None
    else "sqlite"
)
pytestmark = pytest.mark.parametrize("database_url", [_ONE_DATABASE], indirect=True)
QUERY_NAMES = ("page", "q", "status", "domain", "cohort", "month", "date", "day", "year", "when")
QUERIES = [
    dict.fromkeys(QUERY_NAMES, "\x00"),
    dict.fromkeys(QUERY_NAMES, BEYOND_INT),
    {"month": "0001-01", "date": "0001-01-01", "day": "1", "year": "0001", "page": "٣"},
    {"month": "9999-12", "date": "9999-12-31", "day": "31", "year": "9999"},
]
APPLICANT = {
    "email": "keen.person@example.nhs.uk",
    "given_name": "Keen",
    "family_name": "Person",
    "professional_group": "doctor",
    "registration_body": "GMC",
    "registration_number": "7123456",
    "career_stage": "FY2",
}
SKIP_ACTIONS = ("/sign-out",)  # would end the walk's session


class _Forms(HTMLParser):
    """Collects each form's method, action and fields (name -> default value or file)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"method": a.get("method", "get").lower(), "action": a.get("action"), "fields": {}}
            )
            return
        if not self.forms or not a.get("name"):
            return
        fields = self.forms[-1]["fields"]
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "file":
                fields[name] = ("file", b"")
            elif kind in {"checkbox", "radio"}:
                fields.setdefault(name, a.get("value", "on"))
            elif kind not in {"submit", "button", "image", "reset"}:
                fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select and not self.forms[-1]["fields"][self._select]:
            self.forms[-1]["fields"][self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def _counts() -> tuple[int, ...]:
    """Every table's row count, in one statement. The audit log is left out: a refused
    attempt (a failed sign-in, a refused export) is itself recorded there on purpose."""
    tables = sorted(
        (t for t in db.metadata.tables.values() if t.name != "audit_event"), key=lambda t: t.name
    )
    counts = [
        sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables
    ]
    return tuple(db.session.execute(sa.select(*counts)).one())


def _seed(app: Flask, user: Any, role: Role | None) -> dict[Any, Any]:
    """Records whose forms only show when they exist: another person with a grant (the
    admin's user page), an API token (revoke), a request to join (decide, and its notice)."""
    other = make_user(roles=[(Role.PARTICIPANT, None)])
    if role is Role.EVALUATOR:
        create_token(user, "analysis script", "90")
    db.session.commit()
    app.test_client().post("/join/lon-2026-autumn", data=APPLICANT)
    placeholders: dict[Any, Any] = living_lab_samples()
    placeholders.update(release_samples())
    placeholders.update(champion_samples())
    placeholders.update(network_samples())
    placeholders.update({"user_id": other.id, "grant_id": other.grants[0].id})
    return placeholders


def _pages(app: Flask, role: Role | None, placeholders: dict[Any, Any]) -> list[str]:
    """The in-scope pages this role may open."""
    pages = []
    for rule in _rules(app):
        if "GET" not in rule.methods:
            continue
        info = access_rule(app.view_functions[rule.endpoint])
        if _expected(info, role, True) != {200} or "bearer-token" in info:
            continue
        values = {}
        for arg in rule.arguments:
            sample = SAMPLES.get((rule.endpoint, arg))
            inside = sample[0] if sample else arg
            values[arg] = placeholders.get(inside, None if inside == arg else inside)
        if None in values.values():
            continue
        with app.test_request_context():
            pages.append(app.url_for(rule.endpoint, **values))
    return pages


def _forms(client: Any, pages: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            action = urlsplit(form["action"] or page).path or page
            if action.startswith(SKIP_ACTIONS) or not form["fields"]:
                continue
            form["action"] = action
            found.setdefault((form["method"], action, tuple(sorted(form["fields"]))), form)
    return found


def _submit(client: Any, form: dict[str, Any], values: dict[str, Any]) -> Any:
    data: dict[str, Any] = {}
    for name, value in {**form["fields"], **values}.items():
        if isinstance(value, tuple):  # a file input
            content = value[1]
            data[name] = (io.BytesIO(content), "people.csv", "text/csv")
        else:
            data[name] = value
    if form["method"] == "get":
        return client.get(form["action"], query_string=data)
    return client.post(form["action"], data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "signed-out")
def test_every_form_survives_hostile_input(app: Flask, client: Any, role: Role | None) -> None:
    user = _make_person(role)
    placeholders = _seed(app, user, role)
    if user is not None:
        login(client, user)
    pages = _pages(app, role, placeholders)
    forms = _forms(client, pages)
    assert forms or role is None
    failures: list[str] = []
    for page in pages:  # query parameters that views read without a form
        for query in QUERIES:
            response = client.get(page, query_string=query)
            response.get_data()  # a download streams: read it all, inside its request
            if response.status_code >= 500:
                failures.append(f"{response.status_code} GET {page} {query!r:.200}")

    for form in forms.values():
        _attack(client, form, failures)
        if user is not None and not _signed_in(client):
            login(client, user)  # a form (closing one's account) may have signed us out
    assert failures == [], "\n".join(failures[:20])


def _attack(client: Any, form: dict[str, Any], failures: list[str]) -> None:
    """Submit ``form`` a few times with hypothesis-chosen fields made hostile."""
    names = sorted(form["fields"])
    file_names = [n for n in names if isinstance(form["fields"][n], tuple)]

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        corrupt=st.dictionaries(st.sampled_from(names), HOSTILE_TEXT, min_size=1, max_size=3),
        csv_file=st.sampled_from(HOSTILE_CSV),
    )
    def attack(corrupt: dict[str, str], csv_file: bytes) -> None:
        attempt(corrupt, csv_file)

    def attempt(corrupt: dict[str, str], csv_file: bytes) -> None:
        values: dict[str, Any] = dict(corrupt)
        for name in file_names:
            values[name] = ("file", csv_file)
        before = _counts()
        response = _submit(client, form, values)
        response.get_data()
        where = f"{form['method'].upper()} {form['action']} {values!r:.300}"
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {where}")
        elif response.status_code >= 400 and _counts() != before:
            failures.append(f"refused but wrote rows: {where}")

    # The cases that matter most, each field on its own, then hypothesis's picks.
    text_names = [n for n in names if n not in file_names]
    attempt(dict.fromkeys(text_names, "\x00"), HOSTILE_CSV[0])
    for name in text_names:
        attempt({name: BEYOND_INT}, HOSTILE_CSV[0])
    attack()


def _signed_in(client: Any) -> bool:
    return client.get("/", follow_redirects=False).status_code != 302


def test_ids_beyond_the_integer_range_are_not_found(app: Flask, client: Any) -> None:
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    db.session.commit()
    login(client, admin)
    for rule in _rules(app):
        ints = [a for a in rule.arguments if a in DYNAMIC_ARGS or "id" in a or a == "number"]
        if not ints:
            continue
        path = rule.rule
        for arg in rule.arguments:
            sample = SAMPLES.get((rule.endpoint, arg), ("x", "x"))[0]
            value = BEYOND_INT if arg in ints else sample
            path = path.replace(f"<int:{arg}>", value).replace(f"<{arg}>", str(value))
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        assert response.status_code == 404, (path, response.status_code)
