"""The contract suite against the in-memory reference adapter (``memory://``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

import repokit
from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.infrastructure.config import Settings
from repokit.testing import StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract


class TestMemoryStore(StoreContract):
    """``memory://``: the executable specification must pass every contract test."""

    @pytest.fixture
    async def store(self, contract_settings: Settings) -> AsyncIterator[StorePort]:
        store = await repokit.connect("memory://", settings=contract_settings)
        await store.migrate()
        yield store
        await store.close()


class TestMemorySyncStore(sync_contract.StoreContract):
    """``memory://`` through ``repokit.connect_sync``: the same contract, without ``await``."""

    @pytest.fixture
    def store(self, contract_settings: Settings) -> Iterator[SyncStorePort]:
        with repokit.connect_sync("memory://", settings=contract_settings) as store:
            store.migrate()
            yield store


@pytest.mark.parametrize("backend", [TestMemoryStore, TestMemorySyncStore])
def test_the_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)
