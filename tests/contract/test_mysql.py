"""The contract suite against MySQL / MariaDB: the server of ``REPOKIT_TEST_MYSQL_URL``
(by default the local MariaDB on 127.0.0.1:3306), async (asyncmy) and sync (PyMySQL).

Each pytest worker makes a database of its own on that server for the session
(``repokit_test_<worker>_<random>``, dropped at the end); every table but the
migration's bookkeeping is emptied before each test (``stores.py``). The cached
classes are in ``test_cached.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from stores import Stores

from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.testing import StoreContract, assert_contract_complete
from repokit.testing import sync as sync_contract

pytest.importorskip("asyncmy")


class TestMysqlStore(StoreContract):
    """``mysql://``: the async store on asyncmy."""

    @pytest.fixture
    async def store(self, stores: Stores) -> AsyncIterator[StorePort]:
        async with stores.open("mysql") as store:
            yield store


class TestMysqlSyncStore(sync_contract.StoreContract):
    """The same server through ``repokit.connect_sync`` (PyMySQL)."""

    @pytest.fixture
    def store(self, stores: Stores) -> Iterator[SyncStorePort]:
        with stores.open_sync("mysql") as store:
            yield store


@pytest.mark.parametrize("backend", [TestMysqlStore, TestMysqlSyncStore])
def test_the_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)
