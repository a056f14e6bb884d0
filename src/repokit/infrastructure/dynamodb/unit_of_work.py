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

from repokit.infrastructure.dynamodb.client import DynamoClient
from repokit.infrastructure.dynamodb.repositories import attach_repositories
from repokit.infrastructure.dynamodb.scope import UnitScope
from repokit.infrastructure.pending_unit import PendingWritesUnitOfWork
from repokit.infrastructure.unit_guard import UnitSlot


class DynamoUnitOfWork(PendingWritesUnitOfWork):
    """``async with store.unit_of_work() as uow``: commit on a clean exit, else roll back
    (:class:`~repokit.infrastructure.pending_unit.PendingWritesUnitOfWork`)."""

    def __init__(
        self, client: DynamoClient, slot: UnitSlot[DynamoUnitOfWork], embedding_dim: int
    ) -> None:
        super().__init__(client, slot)
        self._scope = UnitScope(client, self._check_usable)
        self.entity_repositories = attach_repositories(self, self._scope, embedding_dim)
