"""Personal API tokens and the /api/v1 endpoints: lifecycle, clear JSON errors, the same
package as the web, and an OpenAPI description that validates."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from openapi_spec_validator import validate

from futuredoctor import create_app
from futuredoctor.evaluation import tokens
from futuredoctor.extensions import db
from futuredoctor.models import ApiToken, AuditEvent, ExportRecord, RoleGrant, User, utcnow
from tests.conftest import make_test_config
from tests.evaluation.conftest import Study, open_zip, read_csv
from tests.helpers import login

TOKEN = re.compile(r"fdk_[A-Za-z0-9_-]{43}")


def _create_token(client: Any, name: str = "analysis server", expiry: str = "90") -> str:
    response = client.post("/evaluation/tokens", data={"name": name, "expiry": expiry})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    found = TOKEN.findall(response.get_data(as_text=True))
    assert found, "the new token is shown in the response that creates it"
    with client.session_transaction() as session:
        assert not TOKEN.findall(str(dict(session)))  # never carried in the cookie
    assert not TOKEN.findall(client.get("/evaluation/tokens").get_data(as_text=True))  # once
    return found[0]


def _api(client: Any, path: str, token: str | None = None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers, query_string=params)


def _error_code(response: Any) -> str:
    assert response.mimetype == "application/json"
    return response.get_json()["error"]["code"]


def test_token_lifecycle(client: Any, study: Study) -> None:
    login(client, study.evaluator)
    token = _create_token(client)
    stored = db.session.scalars(sa.select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.prefix == token[:12] and token not in str(stored.__dict__.values())
    assert stored.expires_at is not None and stored.last_used_at is None

    client.get("/sign-out")  # the API never relies on a session
    response = _api(client, "/api/v1/exports", token, scope="region:LON")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = open_zip(response.get_data())
    assert len(read_csv(archive, "participants.csv")) == 1
    db.session.expire_all()
    assert db.session.get(ApiToken, stored.id).last_used_at is not None
    record = db.session.scalars(sa.select(ExportRecord)).one()
    assert record.channel == "api"
    assert record.sha256 == hashlib.sha256(response.get_data()).hexdigest()

    one_file = _api(client, "/api/v1/exports/feedback.csv", token, include_free_text="true")
    assert one_file.status_code == 200 and one_file.mimetype == "text/csv"
    assert one_file.get_data(as_text=True).startswith('"feedback_id"')
    assert "HYPERLINK" in one_file.get_data(as_text=True)
    file_record = db.session.scalars(
        sa.select(ExportRecord).order_by(ExportRecord.id.desc())
    ).first()
    assert file_record.options["files"] == ["feedback.csv"]
    assert file_record.row_counts == {"feedback.csv": 2}
    assert file_record.sha256 == hashlib.sha256(one_file.get_data()).hexdigest()

    # Revoked in the UI: refused at once, with a clear message.
    login(client, study.evaluator)
    assert client.post("/evaluation/tokens/revoke", data={"token_id": stored.id}).status_code == 302
    refused = _api(client, "/api/v1/exports", token)
    assert refused.status_code == 401 and _error_code(refused) == "revoked_token"
    assert "revoked" in refused.get_json()["error"]["message"]
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    again = client.post("/evaluation/tokens/revoke", data={"token_id": stored.id})
    assert again.status_code == 302  # a second click changes nothing
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"api_token.created", "api_token.revoked", "export.downloaded"} <= actions


def test_bad_tokens_get_clear_401s(client: Any, study: Study) -> None:
    login(client, study.evaluator)
    token = _create_token(client, expiry="30")
    missing = _api(client, "/api/v1/exports")
    assert missing.status_code == 401 and _error_code(missing) == "missing_token"
    for header in ("Basic abc", "Bearer", "Bearer not-a-token", f"Token {token}"):
        response = client.get("/api/v1/exports", headers={"Authorization": header})
        assert response.status_code == 401 and _error_code(response) == "malformed_token"
    unknown = _api(client, "/api/v1/exports", "fdk_" + "A" * 43)
    assert unknown.status_code == 401 and _error_code(unknown) == "unknown_token"

    stored = db.session.scalars(sa.select(ApiToken)).one()
    stored.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = _api(client, "/api/v1/exports", token)
    assert expired.status_code == 401 and _error_code(expired) == "expired_token"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportRecord)) == 0


def test_scope_and_parameters_are_checked(client: Any, study: Study) -> None:
    login(client, study.evaluator)
    token = _create_token(client)
    ungranted = _api(client, "/api/v1/exports", token, scope="region:SW")
    assert ungranted.status_code == 404 and _error_code(ungranted) == "scope_not_found"
    nowhere = _api(client, "/api/v1/exports/participants.csv", token, scope="region:XX")
    assert nowhere.get_json() == ungranted.get_json()  # unknown and ungranted read alike
    bad = _api(client, "/api/v1/exports", token, date_from="2026-11-23", date_to="2026-11-01")
    assert bad.status_code == 400
    assert "date_to" in bad.get_json()["error"]["fields"]
    typo = _api(client, "/api/v1/exports", token, start="2026-01-01")
    assert typo.status_code == 400 and _error_code(typo) == "unknown_parameter"
    flag = _api(client, "/api/v1/exports", token, include_free_text="perhaps")
    assert flag.status_code == 400
    no_file = _api(client, "/api/v1/exports/secrets.csv", token)
    assert no_file.status_code == 404 and _error_code(no_file) == "file_not_found"

    # Grants are read at use: a token stops working for scopes its owner loses.
    db.session.execute(sa.delete(RoleGrant).where(RoleGrant.user_id == study.evaluator.id))
    db.session.commit()
    forbidden = _api(client, "/api/v1/exports", token)
    assert forbidden.status_code == 403 and _error_code(forbidden) == "forbidden"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportRecord)) == 0


def test_token_form_refuses_bad_input(client: Any, study: Study) -> None:
    login(client, study.evaluator)
    empty = client.post("/evaluation/tokens", data={"name": "  ", "expiry": "90"})
    assert empty.status_code == 400 and "Enter a name for the token" in empty.get_data(True)
    odd = client.post("/evaluation/tokens", data={"name": "x", "expiry": "forever"})
    assert odd.status_code == 400 and "Select when the token expires" in odd.get_data(True)
    _create_token(client, "laptop")
    twice = client.post("/evaluation/tokens", data={"name": "Laptop", "expiry": "90"})
    assert twice.status_code == 400
    assert "already have an active token called Laptop" in twice.get_data(True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 1
    other = client.post("/evaluation/tokens/revoke", data={"token_id": "999999"})
    assert other.status_code == 404


def test_openapi_description_is_valid_and_documented(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    assert set(spec["paths"]) == {"/exports", "/exports/{file_name}", "/openapi.json"}
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "<h1>Evaluation API reference</h1>" in page
    assert "GET /exports/{file_name}" in page


def test_every_api_answer_is_json_in_the_documented_shape(
    app: Any, client: Any, study: Study
) -> None:
    from futuredoctor.permissions import public

    def boom() -> Any:
        raise RuntimeError("a bug")

    app.add_url_rule("/api/v1/boom", "api_boom", public(boom))
    login(client, study.evaluator)
    token = _create_token(client)
    client.get("/sign-out")

    unknown = _api(client, "/api/v1/nothing-here", token)
    assert unknown.status_code == 404 and _error_code(unknown) == "not_found"
    wrong_method = client.post("/api/v1/exports", headers={"Authorization": f"Bearer {token}"})
    assert wrong_method.status_code == 405 and _error_code(wrong_method) == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]
    failed = _api(client, "/api/v1/boom")
    assert failed.status_code == 500 and _error_code(failed) == "server_error"
    assert "a bug" not in failed.get_data(as_text=True)
    # The web pages keep their HTML error pages, with Allow on a 405 too.
    page = client.put("/sign-in")
    assert page.status_code == 405 and page.mimetype == "text/html"
    assert "GET" in page.headers["Allow"]


def test_the_api_takes_exactly_what_it_documents(client: Any, study: Study) -> None:
    login(client, study.evaluator)
    token = _create_token(client)
    for params, field in [
        ({"scope": "region:\x00"}, "scope"),
        ({"scope": ""}, "scope"),
        ({"scope": " region:LON"}, "scope"),
        ({"date_from": "٢٠٢٦-٠١-٠١"}, "date_from"),  # Arabic-Indic digits
        ({"date_from": "1/9/2026"}, "date_from"),  # the web form's UK order, not the API's
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": ""}, "date_from"),
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"include_free_text": "yes"}, "include_free_text"),
        ({"include_free_text": "1"}, "include_free_text"),
    ]:
        response = _api(client, "/api/v1/exports", token, **params)
        assert response.status_code == 400, params
        assert _error_code(response) == "invalid_parameters"
        assert field in response.get_json()["error"]["fields"], params
    later = _api(client, "/api/v1/exports", token, date_from="2100-01-01")
    assert later.status_code == 200 and later.get_data()  # an omitted end follows the start
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportRecord)) == 1


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_exports_are_audited_from_first_byte_to_last_and_when_refused(
    client: Any, study: Study
) -> None:
    login(client, study.evaluator)
    token = _create_token(client)
    done = _api(client, "/api/v1/exports", token, scope="region:LON")
    assert done.status_code == 200
    done.get_data()
    db.session.expire_all()
    actions = _actions()
    assert actions.index("export.started") < actions.index("export.downloaded")

    refused = _api(client, "/api/v1/exports", token, scope="region:ZZ")
    assert refused.status_code == 404
    db.session.expire_all()
    assert _actions()[-1] == "export.refused"  # kept although the request was refused

    # A client that stops reading part-way: started, then aborted, and no export record.
    records_before = db.session.scalar(sa.select(sa.func.count()).select_from(ExportRecord))
    partial = client.get(
        "/api/v1/exports",
        headers={"Authorization": f"Bearer {token}"},
        query_string={"scope": "region:LON"},
        buffered=False,
    )
    assert partial.status_code == 200
    next(iter(partial.response))
    partial.close()
    db.session.expire_all()
    assert _actions()[-2:] == ["export.started", "export.aborted"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportRecord)) == (
        records_before
    )


def test_the_api_description_names_the_configured_address_not_the_callers(
    app: Any, client: Any
) -> None:
    app.config["PUBLIC_URL"] = "https://pilots.example.nhs.uk"
    spec = client.get("/api/v1/openapi.json", headers={"Host": "evil.example"}).get_json()
    assert spec["servers"] == [{"url": "https://pilots.example.nhs.uk/api/v1"}]
    page = client.get("/api/v1/docs", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in page
    for path in ("/api/v1/openapi.json", "/api/v1/docs"):
        assert client.get(path).headers["Cache-Control"] == "no-store"


def test_export_calls_are_rate_limited_per_token_and_throttling_is_audited(
    database_url: str, study: Study
) -> None:
    limited = create_app(
        make_test_config(database_url, RATELIMIT_ENABLED=True, EXPORT_API_RATE_LIMIT="2 per hour")
    )
    evaluator_id = study.evaluator.id
    with limited.app_context():
        evaluator = db.session.get(User, evaluator_id)
        assert evaluator is not None
        first = tokens.create_token(evaluator, "one", "30")[1]
        second = tokens.create_token(evaluator, "two", "30")[1]
        db.session.commit()
        client = limited.test_client()
        codes = [_api(client, "/api/v1/exports/modules.csv", first).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        refused = _api(client, "/api/v1/exports/modules.csv", first)
        assert refused.get_json()["error"]["code"] == "rate_limited"
        assert _api(client, "/api/v1/exports/modules.csv", second).status_code == 200
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "export.refused")
        ).all()
        assert {e.details["reason"] for e in events} == {"rate_limited"}
        assert all(e.actor_id == evaluator_id for e in events)
        db.session.remove()
        db.engine.dispose()
