"""The in-memory unit of work: a snapshot, private writes, an atomic optimistic commit.

See :mod:`.transaction` for the commit strategy. A unit owns one transaction at
a time: ``commit()`` publishes it and ``rollback()`` drops it, and either starts
a fresh one (with a fresh snapshot) so the block can go on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType, TracebackType
from typing import Literal, Self

from repokit.domain.errors import UnitOfWorkError
from repokit.domain.ports import UnitOfWorkPort
from repokit.infrastructure.memory.concurrency import current_task
from repokit.infrastructure.memory.repositories import attach_repositories
from repokit.infrastructure.memory.transaction import MemoryDatabase, MemoryTransaction

# Open units by database, in this context. Tasks inherit their parent's context,
# so the entry also records the owning task: only a unit of the *same* task blocks.
_OPEN_UNITS: ContextVar[Mapping[MemoryDatabase, MemoryUnitOfWork]] = ContextVar(
    "repokit_memory_open_units", default=MappingProxyType({})
)


class MemoryUnitOfWork(UnitOfWorkPort):
    """``async with store.unit_of_work() as uow``: commit on a clean exit, else roll back."""

    def __init__(self, database: MemoryDatabase, embedding_dim: int) -> None:
        self._database = database
        self._phase: Literal["new", "open", "done"] = "new"
        self._transaction: MemoryTransaction | None = None
        self._task: object | None = None
        attach_repositories(self, self, embedding_dim)

    @property
    def is_open(self) -> bool:
        """True between entering and leaving the ``async with`` block."""
        return self._phase == "open"

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        """The unit's transaction for one repository call, undone if the call raises."""
        transaction = self._current()
        with transaction.statement():
            yield transaction

    def _current(self) -> MemoryTransaction:
        if self._phase == "new":
            raise UnitOfWorkError("use the unit of work inside 'async with store.unit_of_work()'")
        if self._phase == "done":
            raise UnitOfWorkError("this unit of work has ended; open a new one")
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
        if self._phase != "new":
            raise UnitOfWorkError("a unit of work can be entered only once; open a new one")
        task = current_task()
        open_units = _OPEN_UNITS.get()
        other = open_units.get(self._database)
        if other is not None and other.is_open and other._task is task:
            raise UnitOfWorkError(
                "another unit of work of this store is already open in this task; units do not nest"
            )
        _OPEN_UNITS.set(MappingProxyType({**open_units, self._database: self}))
        self._task = task
        self._transaction = self._database.begin()
        self._phase = "open"
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
            self._phase = "done"
            self._transaction = None
            open_units = _OPEN_UNITS.get()
            if open_units.get(self._database) is self:
                rest = {db: unit for db, unit in open_units.items() if db is not self._database}
                _OPEN_UNITS.set(MappingProxyType(rest))
