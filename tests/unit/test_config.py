"""Settings, URL redaction and the default database URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.config import (
    Settings,
    default_database_url,
    load_settings,
    redact_url,
    resolve_database_url,
    url_scheme,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://app:s3cret@db:5432/app", "postgresql://app:***@db:5432/app"),
        ("postgresql://app:pa/ss?w#d@db/app", "postgresql://app:***@db/app"),
        (
            "mongodb+srv://u:p%40ss@cluster0.example.net/db",
            "mongodb+srv://u:***@cluster0.example.net/db",
        ),
        ("postgresql://app@db/app", "postgresql://app@db/app"),
        (
            "postgresql://db/app?sslmode=require&password=x",
            "postgresql://db/app?sslmode=require&password=***",
        ),
        (
            "dynamodb://localhost:8000?region=eu-west-1&aws_secret_access_key=abc&table=t",
            "dynamodb://localhost:8000?region=eu-west-1&aws_secret_access_key=***&table=t",
        ),
        ("redis://:token@cache:6379/0", "redis://:***@cache:6379/0"),
        ("app:s3cret@db", "app:***@db"),
        ("sqlite:///data/a@b.db", "sqlite:///data/a@b.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("memory://", "memory://"),
        ("embedded", "embedded"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_redacted_url_never_contains_the_password() -> None:
    assert "hunter2" not in redact_url("postgresql://u:hunter2@h/db?password=hunter2")


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("SQLite:///a.db", "sqlite"),
        ("postgresql+asyncpg://h/db", "postgresql+asyncpg"),
        ("embedded", "embedded"),
    ],
)
def test_url_scheme(url: str, scheme: str) -> None:
    assert url_scheme(url) == scheme


def test_settings_repr_hides_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPOKIT_DATABASE_URL", "postgresql://u:hunter2@h/db")
    settings = Settings()
    assert "hunter2" not in repr(settings)
    assert settings.database_url_value() == "postgresql://u:hunter2@h/db"


def test_database_url_falls_back_to_the_conventional_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REPOKIT_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.db")
    assert Settings().database_url_value() == "sqlite:///x.db"


def test_default_url_is_the_embedded_postgres(tmp_path: Path) -> None:
    assert default_database_url(Settings(data_dir=tmp_path)) == "embedded"


def test_explicit_url_wins_over_settings(tmp_path: Path) -> None:
    settings = Settings(database_url="memory://", data_dir=tmp_path)
    assert resolve_database_url("sqlite:///a.db", settings) == "sqlite:///a.db"
    assert resolve_database_url(None, settings) == "memory://"


def test_malformed_variables_are_a_configuration_error_naming_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPOKIT_EMBEDDING_DIM", "many")
    with pytest.raises(ConfigurationError, match="REPOKIT_EMBEDDING_DIM") as caught:
        load_settings()
    assert "many" not in str(caught.value)
