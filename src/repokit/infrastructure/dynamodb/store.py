"""The DynamoDB store (``dynamodb://``) and its factory."""

from __future__ import annotations

from repokit.domain.capabilities import Capabilities
from repokit.domain.ports import StorePort
from repokit.infrastructure.config import Settings
from repokit.infrastructure.dynamodb.client import DynamoClient
from repokit.infrastructure.dynamodb.legacy_items import move_legacy_items
from repokit.infrastructure.dynamodb.repositories import attach_repositories
from repokit.infrastructure.dynamodb.schema import migrate
from repokit.infrastructure.dynamodb.scope import AutocommitScope
from repokit.infrastructure.dynamodb.unit_of_work import DynamoUnitOfWork
from repokit.infrastructure.dynamodb.url import parse_dynamodb_url
from repokit.infrastructure.dynamodb.writes import MAX_TRANSACTION_ITEMS
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories
from repokit.infrastructure.unit_guard import UnitSlot


class DynamoStore(ProvidesEntityRepositories, StorePort):
    """A store on one DynamoDB table (single-table design, see ``docs/backends.md``).

    Repositories write each call as one conditional write or transaction; units
    of work collect their writes and commit them with one ``TransactWriteItems``.
    """

    capabilities = Capabilities(
        backend="dynamodb",
        transactions=True,
        vector_index=False,
        vector_search="exact",
        concurrent_units=True,
        max_unit_writes=MAX_TRANSACTION_ITEMS,
        entities=True,
    )

    def __init__(self, client: DynamoClient, embedding_dim: int) -> None:
        self.embedding_dim = embedding_dim
        self.client = client
        self._open_unit: UnitSlot[DynamoUnitOfWork] = UnitSlot(
            f"repokit_dynamodb_unit_{id(self):x}"
        )
        self.entity_repositories = attach_repositories(self, AutocommitScope(client), embedding_dim)

    def __repr__(self) -> str:
        return f"DynamoStore({self.client.target.redacted!r})"

    def unit_of_work(self) -> DynamoUnitOfWork:
        """A new unit of work; use it as ``async with store.unit_of_work() as uow``."""
        self.client.ensure_open()
        return DynamoUnitOfWork(self.client, self._open_unit, self.embedding_dim)

    async def migrate(self) -> None:
        """Create the table and its GSIs if missing and wait until they are ACTIVE; move
        users and workspaces of the earlier layout onto their entity items."""
        await migrate(self.client)
        await move_legacy_items(AutocommitScope(self.client))

    async def close(self) -> None:
        """Release the client; later calls raise ``StoreClosedError``. Safe to call twice."""
        await self.client.close()


async def open_dynamodb_store(url: str, settings: Settings) -> DynamoStore:
    """A store for a ``dynamodb://host:port?region=..&table=..`` (or ``dynamodb://``) URL."""
    target = parse_dynamodb_url(url, retry_mode=settings.dynamodb_retry_mode)
    client = await DynamoClient.open(target, settings)
    return DynamoStore(client, settings.embedding_dim)
