"""The contract suite against the in-memory reference adapter (``memory://``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.testing import StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract


class TestMemoryStore(StoreContract):
    """``memory://``: the executable specification must pass every contract test."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("memory") as store:
            yield store


class TestMemorySyncStore(sync_contract.StoreContract):
    """``memory://`` through ``repokit.connect_sync``: the same contract, without ``await``."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("memory") as store:
            yield store


@pytest.mark.parametrize("backend", [TestMemoryStore, TestMemorySyncStore])
def test_the_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)
