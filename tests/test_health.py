"""Liveness and readiness checks: public, never cached, no session cookie, and readiness
answers 503 naming the check when the database cannot be reached."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from futuredoctor import create_app, health
from tests.conftest import make_test_config


def _plain(response) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert response.mimetype == "application/json"


def test_liveness_and_readiness_answer_ok(client):
    live = client.get("/healthz")
    assert live.status_code == 200 and live.json == {"status": "ok"}
    _plain(live)
    ready = client.get("/healthz/ready")
    assert ready.status_code == 200
    assert ready.json == {"status": "ok", "checks": {"database": "ok"}}
    _plain(ready)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///{tmp}/no-such-folder/futuredoctor.db",
        "postgresql+psycopg://postgres@127.0.0.1:9/futuredoctor",  # nothing listens there
    ],
    ids=["sqlite-missing-file", "postgresql-refused"],
)
def test_readiness_is_503_when_the_database_cannot_be_reached(tmp_path: Path, url: str):
    app = create_app(make_test_config(url.format(tmp=tmp_path)))
    client = app.test_client()
    live = client.get("/healthz")
    assert live.status_code == 200  # liveness never asks the database
    ready = client.get("/healthz/ready")
    assert ready.status_code == 503
    assert ready.json == {"status": "unavailable", "checks": {"database": "OperationalError"}}
    _plain(ready)


def test_readiness_gives_up_after_its_deadline(app, client, monkeypatch):
    """The database check never answers until the test lets it go, so the probe can only
    have answered by giving up: no wall-clock figure to miss on a busy machine."""
    app.config["HEALTH_CHECK_TIMEOUT"] = 0.2
    let_go = threading.Event()
    answered: list[bool] = []

    def hung(engine) -> None:
        let_go.wait(timeout=60)
        answered.append(True)

    monkeypatch.setattr(health, "_select_one", hung)
    try:
        ready = client.get("/healthz/ready")
        assert answered == []  # the probe returned while the check was still hung
    finally:
        let_go.set()
    assert ready.status_code == 503
    assert ready.json["checks"] == {"database": "no answer within 0.2 s"}
