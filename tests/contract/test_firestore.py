"""The contract suite against Firestore: Google's emulator, async (``AsyncClient``) and
sync (``Client``).

Each pytest worker starts its own emulator on a free 127.0.0.1 port
(``firestore_emulator_host``, stopped with its Java child at the end); each test
uses a project of its own on it (``stores.py``), so nothing is deleted between
tests. The cached classes are in ``test_cached.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from folds import SyncTwinStoreFolds
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.testing import StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract

pytest.importorskip("google.cloud.firestore")


class TestFirestoreStore(StoreContract):
    """``firestore://`` on the emulator through ``repokit.connect`` (AsyncClient)."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("firestore") as store:
            yield store


class TestFirestoreSyncStore(SyncTwinStoreFolds, sync_contract.StoreContract):
    """The same emulator through ``repokit.connect_sync`` (Client)."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("firestore") as store:
            yield store


@pytest.mark.parametrize("backend", [TestFirestoreStore, TestFirestoreSyncStore])
def test_the_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)
