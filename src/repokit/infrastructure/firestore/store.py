"""The Firestore store (``firestore://PROJECT[?database=...]``) and its factory."""

from __future__ import annotations

from repokit.domain.capabilities import Capabilities
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories
from repokit.infrastructure.firestore.client import FirestoreClient
from repokit.infrastructure.firestore.repositories import attach_repositories
from repokit.infrastructure.firestore.scope import AutocommitScope
from repokit.infrastructure.firestore.unit_of_work import FirestoreUnitOfWork
from repokit.infrastructure.firestore.url import parse_firestore_url
from repokit.infrastructure.unit_guard import UnitSlot


class FirestoreStore(ProvidesEntityRepositories, StorePort):
    """A store on one Firestore database: a collection per entity (see ``docs/backends.md``).

    Repositories run each write call as one transaction (or batch); units of work
    are Firestore transactions whose writes are held until the commit.
    """

    capabilities = Capabilities(
        backend="firestore",
        transactions=True,
        vector_index=False,
        vector_search="exact",
        concurrent_units=True,
        entities=True,
    )

    def __init__(self, client: FirestoreClient, embedding_dim: int) -> None:
        self.embedding_dim = embedding_dim
        self.client = client
        self._open_unit: UnitSlot[FirestoreUnitOfWork] = UnitSlot(
            f"repokit_firestore_unit_{id(self):x}"
        )
        self.entity_repositories = attach_repositories(self, AutocommitScope(client), embedding_dim)

    def __repr__(self) -> str:
        return f"FirestoreStore({self.client.target.redacted!r})"

    def unit_of_work(self) -> FirestoreUnitOfWork:
        """A new unit of work; use it as ``async with store.unit_of_work() as uow``."""
        self.client.ensure_open()
        return FirestoreUnitOfWork(self.client, self._open_unit, self.embedding_dim)

    async def migrate(self) -> None:
        """Nothing to create: Firestore makes collections on first write, and its
        single-field indexes exist by default. The composite indexes the queries need
        on Firestore itself are in ``repokit migrate --firestore-indexes``' file."""
        self.client.ensure_open()

    async def close(self) -> None:
        """Release the client; later calls raise ``StoreClosedError``. Safe to call twice."""
        await self.client.close()


async def open_firestore_store(url: str, settings: Settings) -> FirestoreStore:
    """A store for a ``firestore://PROJECT[?database=...]`` URL."""
    target = parse_firestore_url(url)
    client = await FirestoreClient.open(target)
    return FirestoreStore(client, settings.embedding_dim)
