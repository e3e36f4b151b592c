"""Configuration: environment variables are read, and production refuses unsafe keys."""

from __future__ import annotations

from typing import Any

import pytest

from futuredoctor import create_app
from futuredoctor.config import ConfigError


def test_settings_come_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUTUREDOCTOR_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("FUTUREDOCTOR_TIMEZONE", "Europe/London")
    monkeypatch.setenv("FUTUREDOCTOR_RATELIMIT_STORAGE_URI", "memory://")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///elsewhere.db"
    assert app.config["TIMEZONE"] == "Europe/London"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    "key", [None, "", "secret", "short-key", "dev-only-secret-key-not-for-production"]
)
def test_production_refuses_missing_or_weak_secret(
    monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    monkeypatch.setenv("FUTUREDOCTOR_ENV", "production")
    if key is None:
        monkeypatch.delenv("FUTUREDOCTOR_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("FUTUREDOCTOR_SECRET_KEY", key)
    with pytest.raises(ConfigError, match="FUTUREDOCTOR_SECRET_KEY"):
        create_app()


def test_production_starts_with_strong_secret_and_secure_cookies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FUTUREDOCTOR_ENV", "production")
    monkeypatch.setenv("FUTUREDOCTOR_SECRET_KEY", "x" * 20 + "a-long-random-production-key")
    monkeypatch.setenv("FUTUREDOCTOR_STUDY_SECRET", "s" * 20 + "a-long-random-study-secret")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize("env", ["staging", "training", "prod", "Production"])
def test_every_other_environment_refuses_the_built_in_secrets(
    monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    """Only development and test may run with the keys written in the source."""
    monkeypatch.setenv("FUTUREDOCTOR_ENV", env)
    monkeypatch.delenv("FUTUREDOCTOR_SECRET_KEY", raising=False)
    monkeypatch.delenv("FUTUREDOCTOR_STUDY_SECRET", raising=False)
    with pytest.raises(ConfigError, match="FUTUREDOCTOR_SECRET_KEY"):
        create_app()


@pytest.mark.parametrize("study", [None, "short", "dev-only-study-secret-not-for-research-use"])
def test_a_strong_key_alone_is_not_enough_outside_development(
    monkeypatch: pytest.MonkeyPatch, study: str | None
) -> None:
    monkeypatch.setenv("FUTUREDOCTOR_ENV", "staging")
    monkeypatch.setenv("FUTUREDOCTOR_SECRET_KEY", "k" * 48)
    monkeypatch.delenv("FUTUREDOCTOR_STUDY_SECRET_FILE", raising=False)
    if study is None:
        monkeypatch.delenv("FUTUREDOCTOR_STUDY_SECRET", raising=False)
    else:
        monkeypatch.setenv("FUTUREDOCTOR_STUDY_SECRET", study)
    with pytest.raises(ConfigError, match="FUTUREDOCTOR_STUDY_SECRET"):
        create_app()


def test_demo_data_is_refused_outside_development_and_test(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("FUTUREDOCTOR_ENV", "staging")
    monkeypatch.setenv("FUTUREDOCTOR_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("FUTUREDOCTOR_STUDY_SECRET", "s" * 48)
    monkeypatch.setenv("FUTUREDOCTOR_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    result = create_app().test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 1
    assert "Refusing to create demo accounts in staging" in result.output


def test_production_warns_when_sign_in_limits_are_counted_per_worker(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("FUTUREDOCTOR_ENV", "production")
    monkeypatch.setenv("FUTUREDOCTOR_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("FUTUREDOCTOR_STUDY_SECRET", "s" * 48)
    monkeypatch.setenv("FUTUREDOCTOR_RATELIMIT_STORAGE_URI", "memory://")
    create_app()
    assert "each web worker counts on its own" in caplog.text
    caplog.clear()
    monkeypatch.setenv("FUTUREDOCTOR_RATELIMIT_STORAGE_URI", "redis://cache.internal:6379/0")
    create_app()
    assert "each web worker counts on its own" not in caplog.text


def test_postgresql_plans_every_statement_for_its_own_values() -> None:
    from futuredoctor.config import PLAN_EVERY_TIME, engine_options

    pg = engine_options("postgresql+psycopg://h/db", {"pool_pre_ping": True})
    assert pg["connect_args"]["options"] == PLAN_EVERY_TIME and pg["pool_pre_ping"]
    kept = engine_options("postgresql://h/db", {"connect_args": {"options": "-c work_mem=8MB"}})
    assert kept["connect_args"]["options"] == f"-c work_mem=8MB {PLAN_EVERY_TIME}"
    assert engine_options("sqlite:///x.db", {"pool_pre_ping": True}) == {"pool_pre_ping": True}


def test_the_database_session_plans_for_its_values(db_session: Any) -> None:
    """On PostgreSQL a prepared statement is never switched to one plan for any values."""
    import sqlalchemy as sa

    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("plan caching is PostgreSQL's")
    assert db_session.scalar(sa.text("SHOW plan_cache_mode")) == "force_custom_plan"
