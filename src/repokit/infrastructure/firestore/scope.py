"""Where repositories read and write: autocommit on the store, or a unit of work.

Repository calls that write are *steps*: ``await scope.run(step)`` calls
``step(tx)`` with a :class:`Step`, which reads (``get``, ``get_all``, ``select``,
``count``) and then writes (``write``). Firestore transactions read before they
write, and every step does: it reads what its rules need, then hands its writes
over; they are sent when the step (autocommit) or the unit (unit of work) commits.

* :class:`AutocommitScope` runs each step optimistically, without locks: the
  step reads the latest committed documents, and its writes go out as one batch
  in which every write to a document it read carries a precondition on what it
  read (the document's ``update_time``, or its absence). When a concurrent write
  breaks one, the step is run again on fresh reads (up to :data:`ATTEMPTS` times),
  where the save rules see the change (a stale ``version`` is then the caller's
  ``ConcurrencyError``). Firestore's transactions lock what they read, and the
  emulator makes a conflicting one wait about two seconds: optimistic steps
  keep contended single calls fast.
* :class:`UnitScope` runs every step of a unit in the unit's one transaction and
  keeps their writes pending until ``commit``; reads see the committed data
  merged with the pending writes (read your own writes). A step that raises
  leaves the pending writes as they were (statement-level undo).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from repokit.domain.errors import ConcurrencyError
from repokit.infrastructure.firestore.client import (
    FirestoreClient,
    MissingIndex,
    Transaction,
    WriteRefused,
    fields_of,
)
from repokit.infrastructure.firestore.listing import Listing
from repokit.infrastructure.firestore.paths import collection_path
from repokit.infrastructure.firestore.writes import MAX_COMMIT_WRITES, Write

T = TypeVar("T")
M = TypeVar("M")

ATTEMPTS = 5
"""How often an autocommit step is tried when Firestore aborts it for contention."""


async def _stream_listing(
    client: FirestoreClient, listing: Listing[M], limit: int | None, tx: Transaction | None
) -> list[M]:
    """The listing's entities in order, at most ``limit`` (None: all)."""
    query = listing.query
    if listing.residual is None and limit is not None:
        query = query.limit(limit)
    found: list[M] = []
    if limit == 0:
        return found
    try:
        async for snap in client.stream(query, tx):
            entity = listing.decode(fields_of(snap))
            if listing.residual is None or listing.residual(entity):
                found.append(entity)
                if limit is not None and len(found) >= limit:
                    break
    except MissingIndex:
        if listing.scan is None:
            raise
        return await _scan_listing(client, listing, limit, tx, {})
    return found


async def _scan_listing(
    client: FirestoreClient,
    listing: Listing[M],
    limit: int | None,
    tx: Transaction | None,
    pending: dict[str, Write],
) -> list[M]:
    """The listing answered from its whole collection, in Python: what a query Firestore
    has no index for costs instead of failing (``pending``: a unit's writes there)."""
    found = [
        listing.decode(fields_of(snap))
        async for snap in client.stream(listing.scan, tx)
        if snap.reference.path not in pending
    ]
    found += [listing.decode(w.data) for w in pending.values() if w.data is not None]
    found = [entity for entity in found if listing.full(entity)]
    found.sort(key=listing.sort_key, reverse=listing.descending)
    return found if limit is None else found[:limit]


class Reader:
    """Reads of committed data, in a transaction when one is given (``transaction()``)."""

    def __init__(self, client: FirestoreClient) -> None:
        self.client = client

    def transaction(self) -> Transaction | None:
        """The transaction reads run in (None: plain reads)."""
        return None

    async def _tx(self) -> Transaction | None:
        return self.transaction()

    def _saw(self, snap: Any) -> None:
        """Note a document read (steps remember when, for their preconditions)."""

    async def get(self, ref: Any) -> dict[str, Any] | None:
        """The fields of the document at ``ref``, or None."""
        snap = await self.client.get(ref, await self._tx())
        self._saw(snap)
        return fields_of(snap) if snap.exists else None

    async def get_all(self, refs: Sequence[Any]) -> list[dict[str, Any] | None]:
        """The fields of each document (None where absent), in order."""
        snaps = await self.client.get_all(refs, await self._tx())
        for snap in snaps:
            self._saw(snap)
        return [fields_of(snap) if snap.exists else None for snap in snaps]

    async def select(self, listing: Listing[M], limit: int | None = None) -> list[M]:
        """The listing's entities in order, at most ``limit``."""
        return await _stream_listing(self.client, listing, limit, await self._tx())

    async def count(self, listing: Listing[Any]) -> int:
        """How many entities the listing holds."""
        if listing.residual is None:
            try:
                return await self.client.count(listing.query, await self._tx())
            except MissingIndex:
                pass
        return len(await self.select(listing))

    async def documents(
        self, query: Any, parent: str, keep: Callable[[dict[str, Any]], bool]
    ) -> list[tuple[Any, dict[str, Any]]]:
        """``(reference, fields)`` of the documents of ``query``, which reads collection
        ``parent``; ``keep`` says which documents the query selects (for pending ones)."""
        found: list[tuple[Any, dict[str, Any]]] = []
        async for snap in self.client.stream(query, await self._tx()):
            self._saw(snap)
            found.append((snap.reference, fields_of(snap)))
        return found


class Step(Reader):
    """One repository call's reads and writes (see the module doc)."""

    in_unit = False

    def __init__(self, client: FirestoreClient) -> None:
        super().__init__(client)
        self.writes: list[Write] = []
        self.seen: dict[str, Any] = {}

    def _saw(self, snap: Any) -> None:
        self.seen[snap.reference.path] = snap.update_time if snap.exists else None

    def write(self, writes: Sequence[Write]) -> None:
        """Add writes, sent when the step commits."""
        self.writes.extend(writes)

    def guarded(self) -> list[Write]:
        """The writes, each one to a document read holding only if it did not change."""
        out: list[Write] = []
        for write in self.writes:
            if write.precondition == "none" and write.path in self.seen:
                read_at = self.seen[write.path]
                if read_at is None:
                    if write.data is not None:
                        write = replace(write, precondition="create")
                else:
                    write = replace(write, precondition="update_time", update_time=read_at)
            out.append(write)
        return out


class AutocommitScope(Reader):
    """The store's own repositories: each step is its own transaction."""

    in_unit = False

    async def run(self, step: Callable[[Step], Awaitable[T]]) -> T:
        """Run ``step`` and commit its writes atomically (see the module doc)."""
        for _attempt in range(ATTEMPTS):
            tx = Step(self.client)
            result = await step(tx)
            writes = tx.guarded()
            try:
                await self.client.commit(writes)
                return result
            except WriteRefused as exc:
                error = await explain(self.client, writes)
                if error is not None:
                    raise error from exc
        raise ConcurrencyError(
            f"concurrent writes kept changing the documents of this call ({ATTEMPTS} tries); retry"
        )

    def reader(self) -> Reader:
        """Plain reads of the committed data."""
        return self

    async def write_in_batches(self, writes: Sequence[Write]) -> None:
        """Writes too many for one commit, in batches of :data:`MAX_COMMIT_WRITES`, in
        order (not atomic: a failure leaves the later batches unwritten)."""
        for start in range(0, len(writes), MAX_COMMIT_WRITES):
            try:
                await self.client.commit(writes[start : start + MAX_COMMIT_WRITES])
            except WriteRefused as exc:
                error = await explain(self.client, writes[start:])
                raise error or ConcurrencyError("a concurrent write; retry the delete") from exc


async def explain(client: FirestoreClient, writes: Sequence[Write]) -> Exception | None:
    """The error of a refused commit: that of the first write with a rule whose
    precondition fails now; None when only a concurrent change did (run it again)."""
    checked = [w for w in writes if w.precondition != "none" and w.refused is not None]
    snaps = await client.get_all([w.ref for w in checked])
    for write, snap in zip(checked, snaps, strict=True):
        if write.precondition == "create":
            broken = snap.exists
        elif write.precondition == "exists":
            broken = not snap.exists
        else:
            broken = not snap.exists or snap.update_time != write.update_time
        if broken and write.refused is not None:
            return write.refused()
    return None


class UnitStep(Step):
    """A step inside a unit of work: the unit's transaction, its pending writes merged in."""

    in_unit = True

    def __init__(self, unit: UnitScope) -> None:
        super().__init__(unit.client)
        self._unit = unit

    def transaction(self) -> Transaction | None:
        return self._unit.current

    async def _tx(self) -> Transaction | None:
        return await self._unit.begin()

    def _saw(self, snap: Any) -> None:
        """The unit's transaction guards what it read: no preconditions needed."""

    def _pending(self) -> dict[str, Write]:
        merged = dict(self._unit.pending)
        for write in self.writes:
            merged[write.path] = _merge(merged.get(write.path), write)
        return merged

    async def get(self, ref: Any) -> dict[str, Any] | None:
        pending = self._pending().get(ref.path)
        if pending is not None:
            return None if pending.data is None else dict(pending.data)
        return await super().get(ref)

    async def get_all(self, refs: Sequence[Any]) -> list[dict[str, Any] | None]:
        pending = self._pending()
        unknown = [ref for ref in refs if ref.path not in pending]
        read = dict(zip((r.path for r in unknown), await super().get_all(unknown), strict=True))
        out: list[dict[str, Any] | None] = []
        for ref in refs:
            write = pending.get(ref.path)
            if write is None:
                out.append(read[ref.path])
            else:
                out.append(None if write.data is None else dict(write.data))
        return out

    async def select(self, listing: Listing[M], limit: int | None = None) -> list[M]:
        mine = {
            path: write
            for path, write in self._pending().items()
            if path.rpartition("/")[0] == listing.parent
        }
        if not mine:
            return await super().select(listing, limit)
        try:
            committed = [
                listing.decode(fields_of(snap))
                async for snap in self.client.stream(listing.query, await self._tx())
                if snap.reference.path not in mine
            ]
        except MissingIndex:
            if listing.scan is None:
                raise
            return await _scan_listing(self.client, listing, limit, await self._tx(), mine)
        if listing.residual is not None:
            committed = [e for e in committed if listing.residual(e)]
        own = [listing.decode(w.data) for w in mine.values() if w.data is not None]
        merged = committed + [e for e in own if listing.full(e)]
        merged.sort(key=listing.sort_key, reverse=listing.descending)
        return merged if limit is None else merged[:limit]

    async def count(self, listing: Listing[Any]) -> int:
        return len(await self.select(listing))

    async def documents(
        self, query: Any, parent: str, keep: Callable[[dict[str, Any]], bool]
    ) -> list[tuple[Any, dict[str, Any]]]:
        mine = {
            path: write
            for path, write in self._pending().items()
            if path.rpartition("/")[0] == parent
        }
        found = [
            pair
            for pair in await super().documents(query, parent, keep)
            if pair[0].path not in mine
        ]
        found += [
            (w.ref, dict(w.data)) for w in mine.values() if w.data is not None and keep(w.data)
        ]
        return found


class UnitScope:
    """A unit of work's transaction and pending writes; ``check_usable`` is the unit's check."""

    in_unit = True

    def __init__(self, client: FirestoreClient, check_usable: Callable[[], None]) -> None:
        self.client = client
        self._check_usable = check_usable
        self.pending: dict[str, Write] = {}
        self.current: Transaction | None = None

    async def begin(self) -> Transaction:
        """The unit's transaction, begun on its first read."""
        if self.current is None:
            self.current = await self.client.begin()
        return self.current

    async def run(self, step: Callable[[Step], Awaitable[T]]) -> T:
        """Run ``step``; keep its writes pending, or none of them if it raises."""
        self._check_usable()
        tx = UnitStep(self)
        result = await step(tx)
        self.pending = tx._pending()
        return result

    def reader(self) -> UnitStep:
        """Reads as the unit sees them (for plain reads inside the unit)."""
        self._check_usable()
        return UnitStep(self)

    async def write_in_batches(self, writes: Sequence[Write]) -> None:
        """Inside a unit every write is part of its one transaction."""
        await self.run(_write_all(writes))

    async def commit(self) -> None:
        """Send the pending writes in the unit's transaction; afresh afterwards either way."""
        writes, self.pending = list(self.pending.values()), {}
        transaction, self.current = self.current, None
        try:
            if transaction is None:
                await self.client.commit(writes)
            else:
                await self.client.commit_transaction(transaction, writes)
        except WriteRefused as exc:
            if transaction is not None:
                await self.client.rollback(transaction)
            raise ConcurrencyError(
                "a concurrent commit changed documents this unit of work wrote; retry the unit"
            ) from exc
        except BaseException:
            if transaction is not None:
                await self.client.rollback(transaction)
            raise

    async def rollback(self) -> None:
        """Forget the pending writes and end the transaction."""
        self.pending = {}
        transaction, self.current = self.current, None
        if transaction is not None:
            await self.client.rollback(transaction)


def _write_all(writes: Sequence[Write]) -> Callable[[Step], Awaitable[None]]:
    async def step(tx: Step) -> None:
        tx.write(writes)

    return step


Scope = AutocommitScope | UnitScope
"""Where a repository runs: the store's autocommit scope or a unit's."""


def _merge(entry: Write | None, write: Write) -> Write:
    """The pending write of a document after ``write``; a ``create`` stays a create."""
    if entry is None:
        return write
    if entry.precondition == "create":
        if write.data is None:
            # Created and deleted in one unit: a delete of nothing, which any state allows.
            return Write(write.ref, None)
        return Write(write.ref, write.data, "create", entry.refused)
    return Write(write.ref, write.data, "none" if write.data is not None else write.precondition)


__all__ = [
    "ATTEMPTS",
    "AutocommitScope",
    "Reader",
    "Scope",
    "Step",
    "UnitScope",
    "UnitStep",
    "collection_path",
    "explain",
]
