"""The contract suite against the in-memory reference adapter (``memory://``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import repokit
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.testing import StoreContract, assert_contract_complete


class TestMemoryStore(StoreContract):
    """``memory://``: the executable specification must pass every contract test."""

    @pytest.fixture
    async def store(self, contract_settings: Settings) -> AsyncIterator[StorePort]:
        store = await repokit.connect("memory://", settings=contract_settings)
        await store.migrate()
        yield store
        await store.close()


@pytest.mark.parametrize("backend", [TestMemoryStore])
def test_the_backend_runs_the_whole_contract(backend: type) -> None:
    assert_contract_complete(backend)
