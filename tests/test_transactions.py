"""The request door: a request commits at most once, a refused or failed one changes
nothing, a read-only GET/HEAD ends with COMMIT (keeping PostgreSQL's prepared statements)
and writes through a raw DBAPI cursor are never committed by that shortcut."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, Response, render_template_string, request, stream_with_context
from flask_wtf import FlaskForm
from wtforms import StringField

from futuredoctor import audit, create_app
from futuredoctor.extensions import db
from futuredoctor.models import Region, Role
from futuredoctor.permissions import public
from futuredoctor.refusals import Refusal, show_refusal
from futuredoctor.transactions import commit_streamed, keep_when_refused, mark_written
from tests.conftest import make_test_config
from tests.factories import PASSWORD, make_user


class NameForm(FlaskForm):
    name = StringField("Name")


@pytest.fixture
def own_app(database_url: str) -> Iterator[Flask]:
    """An app whose requests each get their own app context and session, as on a server
    (the shared ``app`` fixture keeps one open for the whole test)."""
    app = create_app(make_test_config(database_url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(own_app: Flask) -> Any:
    return own_app.test_client()


def _add_region(code: str) -> None:
    db.session.add(Region(code=code, name=f"Region {code}"))
    db.session.flush()


@pytest.fixture
def ends(own_app: Flask) -> list[str]:
    """How each transaction ended, in order; the routes below exercise the door."""
    app = own_app
    seen: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "commit", lambda conn: seen.append("commit"))
        sa.event.listen(db.engine, "rollback", lambda conn: seen.append("rollback"))

    @app.route("/_t/read", methods=["GET", "HEAD", "POST"])
    @public
    def read() -> tuple[str, int]:
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Region))
        return str(count), int(request.args.get("status", "200"))

    @app.route("/_t/write", methods=["GET", "POST"])
    @public
    def write() -> tuple[str, int]:
        _add_region("ZZ")
        audit.record("test.write", actor=None)
        return "written", int(request.args.get("status", "200"))

    @app.route("/_t/core-insert")
    @public
    def core_insert() -> tuple[str, int]:
        db.session.execute(sa.insert(Region).values(code="ZY", name="Core insert"))
        return "inserted", 404

    @app.route("/_t/raw-insert")
    @public
    def raw_insert() -> tuple[str, int]:
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        mark_written()
        cursor.execute(
            "INSERT INTO region (code, name, priorities, created_at) "
            "VALUES ('ZX', 'Raw insert', '[]', CURRENT_TIMESTAMP)"
        )
        cursor.close()
        return "inserted", 404

    @app.route("/_t/refused", methods=["POST"])
    @public
    def refused() -> tuple[str, int]:
        form = NameForm(meta={"csrf": False})
        try:
            _add_region("ZW")  # flushed, then refused: the door must undo it
            raise Refusal("name", "That name is taken")
        except Refusal as refusal:
            show_refusal(form, refusal)
        return render_template_string("{{ form.name.errors[0] }}", form=form), 400

    @app.route("/_t/refused-uncaught", methods=["POST"])
    @public
    def refused_uncaught() -> str:
        _add_region("ZV")
        raise Refusal(None, "Nobody may do that today")

    @app.route("/_t/kept", methods=["POST"])
    @public
    def kept() -> tuple[str, int]:
        _add_region("ZU")  # the record of a refused attempt (as a failed sign-in's)
        keep_when_refused()
        return "refused, but recorded", 400

    @app.route("/_t/stream")
    @public
    def stream() -> Any:
        region = db.session.scalars(sa.select(Region).order_by(Region.code)).first()

        def chunks() -> Iterator[str]:
            yield "first "
            yield region.code  # read after the request's commit
            _add_region("ZT")  # like the export record: written as the last bytes go
            commit_streamed()
            yield " done"

        return app.response_class(stream_with_context(chunks()))

    @app.route("/_t/stream-read")
    @public
    def stream_read() -> Response:
        def chunks() -> Iterator[str]:
            yield str(db.session.scalar(sa.select(sa.func.count()).select_from(Region)))

        return app.response_class(stream_with_context(chunks()))

    @app.route("/_t/fail")
    @public
    def fail() -> Any:
        _add_region("ZS")
        raise RuntimeError("boom")

    return seen


def _codes(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(sa.select(Region.code)))


def _snapshot(app: Flask) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, through a fresh connection (what is committed)."""
    with app.app_context(), db.engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(str, row)) for row in conn.execute(sa.select(table)))
            for table in db.metadata.sorted_tables
        }


# --- one commit per request ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_request_that_succeeded_commits_once(
    own_app: Flask, client: Any, ends: list[str], method: str
) -> None:
    assert client.open("/_t/write", method=method).status_code == 200
    assert ends == ["commit"]
    assert "ZZ" in _codes(own_app)


def test_real_requests_commit_at_most_once(own_app: Flask, client: Any, ends: list[str]) -> None:
    with own_app.app_context():
        admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
        email = admin.email
        db.session.commit()
    ends.clear()
    steps = [
        ("POST", "/sign-in", {"email": email, "password": "wrong"}),  # refused, but counted
        ("POST", "/sign-in", {"email": email, "password": PASSWORD}),
        ("GET", "/admin/users", None),
        ("POST", "/admin/users/new", {"email": "x@example.nhs.uk", "given_name": "X"}),
        (
            "POST",
            "/admin/users/new",
            {"email": "new.person@example.nhs.uk", "given_name": "New", "family_name": "P"},
        ),
        (
            "POST",
            "/admin/users/new",
            {"email": "new.person@example.nhs.uk", "given_name": "New", "family_name": "P"},
        ),
    ]
    for method, path, data in steps:
        before = len(ends)
        response = client.open(path, method=method, data=data)
        assert response.status_code < 500
        assert ends[before:].count("commit") <= 1, (path, ends[before:])
    assert ends.count("commit") >= 3


# --- refused and failed requests change nothing ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "message"),
    [("/_t/refused", "That name is taken"), ("/_t/refused-uncaught", "Nobody may do that today")],
)
def test_a_refused_request_leaves_the_database_unchanged(
    own_app: Flask, client: Any, ends: list[str], path: str, message: str
) -> None:
    before = _snapshot(own_app)
    response = client.post(path)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "commit" not in ends
    assert _snapshot(own_app) == before


def test_a_write_answered_with_an_error_status_is_rolled_back(
    own_app: Flask, client: Any, ends: list[str]
) -> None:
    before = _snapshot(own_app)
    for method in ("GET", "POST"):
        assert client.open("/_t/write?status=409", method=method).status_code == 409
    assert "commit" not in ends
    assert _snapshot(own_app) == before


def test_a_failed_request_is_rolled_back(own_app: Flask, client: Any, ends: list[str]) -> None:
    own_app.config["PROPAGATE_EXCEPTIONS"] = False
    before = _snapshot(own_app)
    assert client.get("/_t/fail").status_code == 500
    assert "commit" not in ends
    assert _snapshot(own_app) == before


def test_keep_when_refused_commits_the_record_of_the_attempt(
    own_app: Flask, client: Any, ends: list[str]
) -> None:
    assert client.post("/_t/kept").status_code == 400
    assert ends == ["commit"]
    assert "ZU" in _codes(own_app)


def test_a_failed_sign_in_is_still_counted(own_app: Flask, client: Any) -> None:
    with own_app.app_context():
        user = make_user()
        user_id, email = user.id, user.email
        db.session.commit()
    response = client.post("/sign-in", data={"email": email, "password": "wrong"})
    assert response.status_code == 400
    with own_app.app_context():
        from futuredoctor.models import User

        assert db.session.get(User, user_id).failed_login_count == 1


# --- the read-only shortcut: GET and HEAD only -----------------------------------------------


@pytest.mark.parametrize(("method", "status"), [("GET", 200), ("GET", 404), ("HEAD", 404)])
def test_a_read_only_get_or_head_ends_with_commit(
    client: Any, ends: list[str], method: str, status: int
) -> None:
    assert client.open(f"/_t/read?status={status}", method=method).status_code == status
    assert ends == ["commit"]


def test_a_refused_post_that_only_read_ends_with_rollback(client: Any, ends: list[str]) -> None:
    assert client.post("/_t/read?status=400").status_code == 400
    assert ends == ["rollback"]


def test_uncommitted_writes_are_never_taken_for_reads(
    own_app: Flask, client: Any, ends: list[str]
) -> None:
    assert client.get("/_t/core-insert").status_code == 404
    assert client.get("/_t/raw-insert").status_code == 404  # marked by mark_written()
    assert ends == ["rollback", "rollback"]
    assert not {"ZY", "ZX"} & _codes(own_app)


# --- streamed bodies ---------------------------------------------------------------------------


def test_a_streamed_body_reads_after_the_commit_and_commits_what_it_writes(
    own_app: Flask, client: Any, ends: list[str]
) -> None:
    response = client.get("/_t/stream")
    body = response.get_data(as_text=True)
    assert body.startswith("first ") and body.endswith(" done") and len(body) > 11
    assert ends == ["commit", "commit"]  # the request's, then the body's own record
    assert "ZT" in _codes(own_app)


def test_a_streamed_body_that_only_read_ends_with_commit(client: Any, ends: list[str]) -> None:
    assert client.get("/_t/stream-read").get_data(as_text=True).isdigit()
    assert ends == ["commit"]


def test_a_service_building_a_url_in_a_request_context_keeps_its_transaction(
    own_app: Flask,
) -> None:
    """A ``test_request_context`` opened by a service (to build a link) is not a request
    the door ends: the work around it stays in its transaction."""
    with own_app.app_context():
        _add_region("ZR")
        with own_app.test_request_context():
            pass
        assert db.session.scalar(sa.select(Region.code).where(Region.code == "ZR")) == "ZR"
        db.session.rollback()
