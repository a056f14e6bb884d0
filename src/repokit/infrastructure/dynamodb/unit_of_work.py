"""The DynamoDB unit of work: pending writes in memory, one ``TransactWriteItems`` at commit.

Reads inside the unit see committed items plus the unit's own writes; the
store's repositories see only committed items (``concurrent_units``). Each
write is checked in-process when it is made, so a broken save rule raises at
the call and undoes only that call; at commit the same conditions, relative to
what was committed when the unit first touched each item, go to DynamoDB, so
when two units write one item the first commit wins and the second raises
``ConcurrencyError``. A unit holds at most 100 items (``max_unit_writes``);
the call that would exceed it raises ``CapabilityError`` before anything is sent.
Reads are not a snapshot: DynamoDB has none, so a unit reads the latest
committed items (read committed), and its conditions catch conflicting writes.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from repokit.domain.ports import UnitOfWorkPort
from repokit.infrastructure.dynamodb.client import DynamoClient
from repokit.infrastructure.dynamodb.repositories import attach_repositories
from repokit.infrastructure.dynamodb.scope import UnitScope
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories
from repokit.infrastructure.memory.concurrency import current_task
from repokit.infrastructure.unit_guard import UnitGuard, UnitSlot


class DynamoUnitOfWork(ProvidesEntityRepositories, UnitOfWorkPort):
    """``async with store.unit_of_work() as uow``: commit on a clean exit, else roll back."""

    def __init__(
        self, client: DynamoClient, slot: UnitSlot[DynamoUnitOfWork], embedding_dim: int
    ) -> None:
        self._client = client
        self._guard = UnitGuard(slot)
        self._scope = UnitScope(client, self._check_usable)
        self.entity_repositories = attach_repositories(self, self._scope, embedding_dim)

    @property
    def is_open(self) -> bool:
        """True between entering and leaving the ``async with`` block."""
        return self._guard.is_open

    @property
    def owner(self) -> object | None:
        """The task that entered the unit (None outside a task, as in the sync form)."""
        return self._guard.owner

    def _check_usable(self) -> None:
        self._guard.check_usable()
        self._client.ensure_open()

    async def commit(self) -> None:
        """Send the pending writes as one transaction; the unit goes on afresh either way."""
        self._check_usable()
        await self._scope.commit()

    async def rollback(self) -> None:
        """Drop the pending writes and start afresh."""
        self._check_usable()
        self._scope.rollback()

    async def __aenter__(self) -> Self:
        """Begin the unit; ``UnitOfWorkError`` if this task already has one open on the store."""
        self._client.ensure_open()
        task = current_task()
        self._guard.check_enter(task)
        self._guard.enter(self, task)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Commit on a clean exit; on an exception drop the writes and let it propagate."""
        try:
            if exc_type is None:
                await self.commit()
        finally:
            self._guard.close()
            self._scope.rollback()
