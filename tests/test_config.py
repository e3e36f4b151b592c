"""Configuration: environment variables are read, and production refuses unsafe keys."""

from __future__ import annotations

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
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
