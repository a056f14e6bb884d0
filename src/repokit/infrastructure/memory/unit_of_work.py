"""The in-memory unit of work: a snapshot, private writes, an atomic optimistic commit.

See :mod:`.transaction` for the commit strategy. A unit owns one transaction at
a time: ``commit()`` publishes it and ``rollback()`` drops it, and either starts
a fresh one (with a fresh snapshot) so the block can go on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from repokit.domain.ports import UnitOfWorkPort
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories
from repokit.infrastructure.memory.concurrency import current_task
from repokit.infrastructure.memory.repositories import attach_repositories
from repokit.infrastructure.memory.transaction import MemoryDatabase, MemoryTransaction
from repokit.infrastructure.unit_guard import UnitGuard, UnitSlot


class MemoryUnitOfWork(ProvidesEntityRepositories, UnitOfWorkPort):
    """``async with store.unit_of_work() as uow``: commit on a clean exit, else roll back."""

    def __init__(
        self, database: MemoryDatabase, slot: UnitSlot[MemoryUnitOfWork], embedding_dim: int
    ) -> None:
        self._database = database
        self._guard = UnitGuard(slot)
        self._transaction: MemoryTransaction | None = None
        self.entity_repositories = attach_repositories(self, self, embedding_dim, database.schema)

    @property
    def is_open(self) -> bool:
        """True between entering and leaving the ``async with`` block."""
        return self._guard.is_open

    @property
    def owner(self) -> object | None:
        """The task that entered the unit (None outside a task, as in the sync form)."""
        return self._guard.owner

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        """The unit's transaction for one repository call, undone if the call raises."""
        transaction = self._current()
        with transaction.statement():
            yield transaction

    def _current(self) -> MemoryTransaction:
        self._guard.check_usable()
        self._database.ensure_open()
        if self._transaction is None:
            self._transaction = self._database.begin()
        return self._transaction

    async def commit(self) -> None:
        """Publish the writes so far; ``ConcurrencyError`` if a concurrent commit conflicts.

        Either way the unit goes on in a fresh transaction.
        """
        transaction = self._current()
        # A failed commit ends the transaction too, as in a database.
        self._transaction = None
        self._database.commit(transaction)
        self._transaction = self._database.begin()

    async def rollback(self) -> None:
        """Drop the writes since the last commit and start afresh."""
        self._current()
        self._transaction = self._database.begin()

    async def __aenter__(self) -> Self:
        """Begin the unit; ``UnitOfWorkError`` if this task already has one open on the store."""
        self._database.ensure_open()
        task = current_task()
        self._guard.check_enter(task)
        self._transaction = self._database.begin()
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
                self._database.commit(self._current())
        finally:
            self._guard.close()
            self._transaction = None
