"""The unit of work of a store whose writes wait in memory until commit.

DynamoDB and Firestore keep a unit's writes pending in their unit scope
(:mod:`repokit.infrastructure.dynamodb.scope`,
:mod:`repokit.infrastructure.firestore.scope`) and send them in one transaction
at commit. What is left around the scope is the same for both, and lives here:
the guard that allows one open unit per task, the usable checks, commit and
rollback, and the ``async with`` protocol. A subclass makes its scope and
attaches its repositories.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Protocol, Self

from repokit.domain.ports import UnitOfWorkPort
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories
from repokit.infrastructure.memory.concurrency import current_task
from repokit.infrastructure.unit_guard import UnitGuard, UnitSlot


class OpenClient(Protocol):
    """A backend client that can say it was closed."""

    def ensure_open(self) -> None:
        """Raise ``StoreClosedError`` once the store is closed."""


class PendingScope(Protocol):
    """A unit scope holding the unit's writes until commit."""

    async def commit(self) -> None:
        """Send the pending writes as one transaction; the scope starts afresh."""

    async def rollback(self) -> None:
        """Forget the pending writes."""


class PendingWritesUnitOfWork(ProvidesEntityRepositories, UnitOfWorkPort):
    """``async with store.unit_of_work() as uow``: commit on a clean exit, else roll back."""

    _scope: PendingScope

    def __init__(self, client: OpenClient, slot: UnitSlot[Any]) -> None:
        self._client = client
        self._guard = UnitGuard(slot)

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
        await self._scope.rollback()

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
            await self._scope.rollback()


__all__ = ["OpenClient", "PendingScope", "PendingWritesUnitOfWork"]
