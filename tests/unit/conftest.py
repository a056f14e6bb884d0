"""Fixtures for the use-case tests: the real in-memory adapter, with and without units."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from repokit.application import HashingEmbedder, create_workspace, register_user
from repokit.domain.capabilities import Capabilities
from repokit.domain.entities import User, Workspace
from repokit.domain.errors import CapabilityError
from repokit.domain.ports import StorePort
from repokit.infrastructure.memory import MemoryStore, MemoryUnitOfWork

DIM = 64


class OrderedWritesStore(MemoryStore):
    """The memory store posing as a backend without transactions (MongoDB standalone)."""

    capabilities = Capabilities(backend="memory-without-transactions", transactions=False)

    def unit_of_work(self) -> MemoryUnitOfWork:
        raise CapabilityError("this store has no transactions")


@pytest.fixture(params=["units", "ordered-writes"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[StorePort]:
    """A fresh memory store; every use-case test runs with and without units of work."""
    opened: StorePort = MemoryStore(DIM) if request.param == "units" else OrderedWritesStore(DIM)
    yield opened
    await opened.close()


@pytest.fixture
async def ordered_writes_store() -> AsyncIterator[StorePort]:
    """A fresh memory store posing as a backend without transactions."""
    opened = OrderedWritesStore(DIM)
    yield opened
    await opened.close()


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder(DIM)


@pytest.fixture
async def alice(store: StorePort) -> User:
    return await register_user(store, email="alice@example.com", display_name="Alice")


@pytest.fixture
async def bob(store: StorePort) -> User:
    return await register_user(store, email="bob@example.com", display_name="Bob")


@pytest.fixture
async def workspace(store: StorePort, alice: User) -> Workspace:
    """Alice's workspace; she is its OWNER."""
    return await create_workspace(store, owner_id=alice.id, name="Research")
