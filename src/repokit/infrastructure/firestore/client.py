"""The Firestore client of the async adapter: the only module that knows ``AsyncClient``.

Everything else reads and writes through these few calls, so that its hand-written
twin, :mod:`repokit.infrastructure.firestore.sync.client`, can do the same on the
sync ``Client`` and the rest of the adapter is generated for the sync form.
Failures become repokit errors here (:func:`~.errors.map_error`) except the
preconditions of writes, which the caller interprets (:class:`WriteRefused`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import contextmanager
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud.firestore_v1.async_client import AsyncClient
from google.cloud.firestore_v1.async_transaction import AsyncTransaction

from repokit.domain.errors import StoreClosedError
from repokit.infrastructure.firestore.errors import DRIVER_ERRORS, map_error
from repokit.infrastructure.firestore.url import FirestoreTarget
from repokit.infrastructure.firestore.writes import Write

Snapshot = Any
"""A ``DocumentSnapshot`` (the client library's types are loose)."""
Transaction = AsyncTransaction


class WriteRefused(Exception):
    """A commit failed a precondition (``create`` of an existing document, ...)."""


class MissingIndex(Exception):
    """Firestore refused a query for want of a composite index (its message says which,
    with a link to create it); the emulator never does."""


class FirestoreClient:
    """One ``AsyncClient`` for a store's lifetime (it keeps its own gRPC channel)."""

    def __init__(self, target: FirestoreTarget, client: Any) -> None:
        self.target = target
        self.db = client
        self.closed = False

    @classmethod
    async def open(cls, target: FirestoreTarget) -> FirestoreClient:
        """Create the client (no request is sent yet)."""
        try:
            client = AsyncClient(project=target.project, database=target.database)
        except DRIVER_ERRORS as exc:
            raise map_error(exc, f"opening {target.redacted}") from exc
        return cls(target, client)

    def ensure_open(self) -> None:
        """Raise :class:`StoreClosedError` once the store is closed."""
        if self.closed:
            raise StoreClosedError("store is closed")

    async def get(self, ref: Any, transaction: Transaction | None = None) -> Snapshot:
        """The snapshot of one document (``exists`` False when absent)."""
        self.ensure_open()
        with mapped(f"reading {ref.path}"):
            snap: Snapshot = await ref.get(transaction=transaction)
        return snap

    async def get_all(
        self, refs: Sequence[Any], transaction: Transaction | None = None
    ) -> list[Snapshot]:
        """Snapshots of ``refs``, in their order (one request)."""
        self.ensure_open()
        if not refs:
            return []
        with mapped("reading documents"):
            found = {
                snap.reference.path: snap
                async for snap in self.db.get_all(list(refs), transaction=transaction)
            }
        return [found[ref.path] for ref in refs]

    async def stream(
        self, query: Any, transaction: Transaction | None = None
    ) -> AsyncIterator[Snapshot]:
        """The documents of ``query``, in its order, fetched as they are read."""
        self.ensure_open()
        with mapped("running a query", reads=True):
            stream: Any = query.stream(transaction=transaction)
            async for snap in stream:
                yield snap

    async def count(self, query: Any, transaction: Transaction | None = None) -> int:
        """How many documents ``query`` matches (a count aggregation)."""
        self.ensure_open()
        with mapped("counting documents", reads=True):
            result: Any = await query.count(alias="n").get(transaction=transaction)
        return int(result[0][0].value)

    async def commit(self, writes: Sequence[Write]) -> None:
        """Commit ``writes`` as one batch: all land or none does."""
        self.ensure_open()
        if not writes:
            return
        batch = self.db.batch()
        for write in writes:
            write.add_to(batch)
        with refused("committing a batch"):
            await batch.commit()

    async def begin(self) -> Transaction:
        """A new read-write transaction, begun (its reads take locks until it ends)."""
        self.ensure_open()
        transaction: Transaction = self.db.transaction()
        with mapped("beginning a transaction"):
            await transaction._begin()
        return transaction

    async def commit_transaction(self, transaction: Transaction, writes: Sequence[Write]) -> None:
        """Add ``writes`` to ``transaction`` and commit it."""
        self.ensure_open()
        for write in writes:
            write.add_to(transaction)
        with refused("committing a transaction"):
            await transaction._commit()

    async def rollback(self, transaction: Transaction) -> None:
        """End ``transaction`` without writing (a no-op once it has ended)."""
        if self.closed or not transaction.in_progress:
            return
        with mapped("rolling back a transaction"):
            await transaction._rollback()

    async def close(self) -> None:
        """Release the client's channel; safe to call twice."""
        if self.closed:
            return
        self.closed = True
        # The client's own close() releases its HTTP session only; the gRPC channel
        # belongs to the API client it makes on first use.
        api = self.db._firestore_api_internal
        if api is not None:
            with mapped("closing the client"):
                await api.transport.close()


def fields_of(snap: Snapshot) -> dict[str, Any]:
    """A snapshot's fields, not copied: ``to_dict()`` deep-copies them (a third of the
    client time of a listing), and repokit only reads them (decoding makes new values)."""
    data: dict[str, Any] | None = snap._data
    return {} if data is None else data


@contextmanager
def mapped(what: str, *, reads: bool = False) -> Any:
    """Turn driver exceptions raised inside the block into repokit errors (a query's
    missing index, with ``reads``, into :class:`MissingIndex`)."""
    try:
        yield
    except gexc.FailedPrecondition as exc:
        if reads and "index" in str(exc.message).lower():
            raise MissingIndex(str(exc.message)) from exc
        raise map_error(exc, what) from exc
    except DRIVER_ERRORS as exc:
        raise map_error(exc, what) from exc


@contextmanager
def refused(what: str) -> Any:
    """Like :func:`mapped`, but a failed precondition raises :class:`WriteRefused`."""
    try:
        yield
    except (gexc.AlreadyExists, gexc.FailedPrecondition, gexc.NotFound) as exc:
        raise WriteRefused(str(exc)) from exc
    except DRIVER_ERRORS as exc:
        raise map_error(exc, what) from exc


__all__ = [
    "FirestoreClient",
    "MissingIndex",
    "Transaction",
    "WriteRefused",
    "fields_of",
    "mapped",
    "refused",
]
