"""The in-memory store (``memory://``) and its factory."""

from __future__ import annotations

from repokit.domain.capabilities import Capabilities
from repokit.domain.entity import declared_entities
from repokit.domain.entity_spec import spec_of
from repokit.domain.errors import ConfigurationError
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings, redact_url, url_scheme
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories
from repokit.infrastructure.memory.repositories import attach_repositories
from repokit.infrastructure.memory.transaction import AutocommitScope, MemoryDatabase
from repokit.infrastructure.memory.unit_of_work import MemoryUnitOfWork
from repokit.infrastructure.unit_guard import UnitSlot


class MemoryStore(ProvidesEntityRepositories, StorePort):
    """An in-process store: the executable specification of every backend's behaviour.

    Its repositories run each call as its own transaction; units of work are
    isolated snapshots that commit atomically (see :mod:`.transaction`).
    """

    capabilities = Capabilities(
        backend="memory",
        transactions=True,
        vector_index=False,
        vector_search="exact",
        concurrent_units=True,
        entities=True,
    )

    def __init__(self, embedding_dim: int) -> None:
        self.embedding_dim = embedding_dim
        self._database = MemoryDatabase()
        self._open_unit: UnitSlot[MemoryUnitOfWork] = UnitSlot(f"repokit_memory_unit_{id(self):x}")
        self.entity_repositories = attach_repositories(
            self, AutocommitScope(self._database), embedding_dim, self._database.schema
        )

    def unit_of_work(self) -> MemoryUnitOfWork:
        """A new unit of work; use it as ``async with store.unit_of_work() as uow``."""
        self._database.ensure_open()
        return MemoryUnitOfWork(self._database, self._open_unit, self.embedding_dim)

    async def migrate(self) -> None:
        """Make every declared entity storable (its constraints known); checks the store is open."""
        self._database.ensure_open()
        for model in declared_entities():
            self._database.schema.add_entity(spec_of(model))

    async def close(self) -> None:
        """Drop all data; later calls raise ``StoreClosedError``. Safe to call twice."""
        self._database.close()


async def open_memory_store(url: str, settings: Settings) -> MemoryStore:
    """A fresh, empty in-memory store for a ``memory://`` URL."""
    if url_scheme(url) != "memory":
        raise ConfigurationError(f"not a memory:// URL: {redact_url(url)}")
    return MemoryStore(settings.embedding_dim)
