"""The Firestore unit of work: one Firestore transaction, its writes pending until commit.

Firestore transactions read before they write: the server takes the reads' locks
and the commit carries every write. A unit keeps that rule for its user by
holding its writes in memory (:class:`~.scope.UnitScope`) until ``commit``: reads
anywhere in the block go through the transaction, merged with the unit's pending
writes, so a unit reads its own writes. What the rule costs: a unit's listings
of a collection it has written read that collection's candidates whole (to merge
the pending documents in). A unit's commit is one Firestore commit, which
Firestore limits by size (10 MiB), not by count. Documents the unit read stay
locked until it ends, so keep units short (Firestore ends a transaction idle for
60 s, or open for 270 s).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from repokit.domain.ports import UnitOfWorkPort
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories
from repokit.infrastructure.firestore.client import FirestoreClient
from repokit.infrastructure.firestore.repositories import attach_repositories
from repokit.infrastructure.firestore.scope import UnitScope
from repokit.infrastructure.memory.concurrency import current_task
from repokit.infrastructure.unit_guard import UnitGuard, UnitSlot


class FirestoreUnitOfWork(ProvidesEntityRepositories, UnitOfWorkPort):
    """``async with store.unit_of_work() as uow``: commit on a clean exit, else roll back."""

    def __init__(
        self, client: FirestoreClient, slot: UnitSlot[FirestoreUnitOfWork], embedding_dim: int
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
        """Commit the pending writes in the unit's transaction; the unit goes on afresh."""
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
