"""The contract suite against SQLite: a database file, and ``sqlite:///:memory:``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import repokit
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.testing import StoreContract, assert_contract_complete


async def migrated(url: str, settings: Settings) -> StorePort:
    store = await repokit.connect(url, settings=settings)
    await store.migrate()
    return store


class TestSqliteFileStore(StoreContract):
    """``sqlite:///<file>``: a fresh database file per test."""

    @pytest.fixture
    async def store(self, tmp_path: Path, contract_settings: Settings) -> AsyncIterator[StorePort]:
        store = await migrated(f"sqlite:///{tmp_path / 'contract.db'}", contract_settings)
        yield store
        await store.close()


class TestSqliteInMemoryStore(StoreContract):
    """``sqlite:///:memory:``: one connection, so units of work are not concurrent."""

    @pytest.fixture
    async def store(self, contract_settings: Settings) -> AsyncIterator[StorePort]:
        store = await migrated("sqlite:///:memory:", contract_settings)
        yield store
        await store.close()


@pytest.mark.parametrize("backend", [TestSqliteFileStore, TestSqliteInMemoryStore])
def test_the_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)
