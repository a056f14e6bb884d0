"""The contract suite against SQLite: a database file, and ``sqlite:///:memory:``.

Each file test gets a copy of a SQLite file migrated once per worker
(``stores.py``); ``:memory:`` databases are migrated by each test's store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.testing import StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract


class TestSqliteFileStore(StoreContract):
    """``sqlite:///<file>``: a database file of the test's own."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("sqlite-file") as store:
            yield store


class TestSqliteInMemoryStore(StoreContract):
    """``sqlite:///:memory:``: one connection, so units of work are not concurrent."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("sqlite-memory") as store:
            yield store


class TestSqliteFileSyncStore(sync_contract.StoreContract):
    """``sqlite:///<file>`` through ``repokit.connect_sync`` (sqlite3)."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("sqlite-file") as store:
            yield store


class TestSqliteInMemorySyncStore(sync_contract.StoreContract):
    """``sqlite:///:memory:`` through ``repokit.connect_sync``."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("sqlite-memory") as store:
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
