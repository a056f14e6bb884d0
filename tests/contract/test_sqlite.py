"""The contract suite against SQLite: a database file, and ``sqlite:///:memory:``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

import repokit
from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.infrastructure.config import Settings
from repokit.testing import StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract


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


def migrated_sync(url: str, settings: Settings) -> SyncStorePort:
    store = repokit.connect_sync(url, settings=settings)
    store.migrate()
    return store


class TestSqliteFileSyncStore(sync_contract.StoreContract):
    """``sqlite:///<file>`` through ``repokit.connect_sync`` (sqlite3)."""

    @pytest.fixture
    def store(self, tmp_path: Path, contract_settings: Settings) -> Iterator[SyncStorePort]:
        with migrated_sync(f"sqlite:///{tmp_path / 'contract.db'}", contract_settings) as store:
            yield store


class TestSqliteInMemorySyncStore(sync_contract.StoreContract):
    """``sqlite:///:memory:`` through ``repokit.connect_sync``."""

    @pytest.fixture
    def store(self, contract_settings: Settings) -> Iterator[SyncStorePort]:
        with migrated_sync("sqlite:///:memory:", contract_settings) as store:
            yield store


@pytest.mark.parametrize(
    "backend",
    [
        TestSqliteFileStore,
        TestSqliteInMemoryStore,
        TestSqliteFileSyncStore,
        TestSqliteInMemorySyncStore,
    ],
)
def test_the_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)
