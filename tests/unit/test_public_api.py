"""The public API of ``import repokit``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import repokit
from repokit import ConfigurationError, Settings, connect


def test_every_public_name_is_importable() -> None:
    missing = [name for name in repokit.__all__ if not hasattr(repokit, name)]
    assert missing == []


def test_import_loads_no_driver() -> None:
    drivers = ["sqlalchemy", "aiosqlite", "asyncpg", "psycopg", "pymongo", "aioboto3", "redis"]
    code = f"import sys, repokit; print([m for m in {drivers!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_errors_are_one_tree() -> None:
    for name in ("NotFoundError", "DuplicateError", "ConfigurationError", "CapabilityError"):
        assert issubclass(getattr(repokit, name), repokit.RepokitError)


async def test_connect_with_a_url() -> None:
    store = await connect("memory://")
    assert store.capabilities.backend == "memory"
    await store.close()


async def test_connect_without_url_uses_the_embedded_postgres(tmp_path: Path) -> None:
    store = await connect(settings=Settings(data_dir=tmp_path))
    try:
        assert store.capabilities.backend == "postgresql"
        await store.migrate()
    finally:
        await store.close()
    assert (tmp_path / "postgres" / "PG_VERSION").exists()


async def test_connect_uses_the_configured_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPOKIT_DATABASE_URL", "memory://")
    store = await connect()
    assert store.capabilities.backend == "memory"
    await store.close()


async def test_a_cache_url_wraps_the_store_in_the_cache() -> None:
    store = await connect("memory://", cache_url="redis://:hunter2@localhost:6379/0")
    assert "hunter2" not in repr(store)
    assert "cache_stats" in dir(store)
    await store.close()


async def test_a_cache_url_that_is_not_redis_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="not a Redis URL") as raised:
        await connect("memory://", cache_url="http://:hunter2@localhost:6379/0")
    assert "hunter2" not in str(raised.value)


async def test_unknown_scheme_through_connect_hides_the_password() -> None:
    with pytest.raises(ConfigurationError, match="known schemes") as caught:
        await connect("oracle://scott:tiger@db/orcl")
    assert "tiger" not in str(caught.value)
