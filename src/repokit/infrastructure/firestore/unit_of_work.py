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

from repokit.infrastructure.firestore.client import FirestoreClient
from repokit.infrastructure.firestore.repositories import attach_repositories
from repokit.infrastructure.firestore.scope import UnitScope
from repokit.infrastructure.pending_unit import PendingWritesUnitOfWork
from repokit.infrastructure.unit_guard import UnitSlot


class FirestoreUnitOfWork(PendingWritesUnitOfWork):
    """``async with store.unit_of_work() as uow``: commit on a clean exit, else roll back
    (:class:`~repokit.infrastructure.pending_unit.PendingWritesUnitOfWork`)."""

    def __init__(
        self, client: FirestoreClient, slot: UnitSlot[FirestoreUnitOfWork], embedding_dim: int
    ) -> None:
        super().__init__(client, slot)
        self._scope = UnitScope(client, self._check_usable)
        self.entity_repositories = attach_repositories(self, self._scope, embedding_dim)
