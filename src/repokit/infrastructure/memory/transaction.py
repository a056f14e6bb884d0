"""Transactions over the in-memory state: snapshot reads, copy-on-write writes, atomic commit.

Strategy (optimistic, snapshot isolation, first committer wins):

* ``begin`` takes the committed :class:`MemoryState` as the snapshot. The
  snapshot is never mutated, so reading it needs no lock.
* A write copies the table it touches once, into the transaction's private
  overlay, and records the row key in the write set. Nobody else sees it.
* ``commit`` swaps the private state in under a short lock. If another commit
  landed since the snapshot, it first checks, row by row, that none of the rows
  this transaction wrote changed (else :class:`ConcurrencyError`, as a row lock
  would have reported), then applies the written rows onto the current state
  and re-checks every foreign key and unique constraint of the schema (a
  concurrent insert of an email, or a child of a row this one deleted, is a
  :class:`ConcurrencyError` too).

Nothing here awaits, so one commit is atomic on an event loop; the lock is a
``threading.Lock`` so the generated sync twin is thread-safe with the same code.
Each repository call inside a unit is one *statement*: if it raises, its writes
are undone and the unit goes on, as with statement-level atomicity in SQL.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, cast

from repokit.domain.errors import ConcurrencyError, StoreClosedError
from repokit.infrastructure.memory.schema import MemorySchema
from repokit.infrastructure.memory.state import K, MemoryState, R, Table

_ABSENT = object()


class MemoryTransaction:
    """A snapshot to read and a private copy-on-write overlay to write."""

    def __init__(self, base: MemoryState, schema: MemorySchema) -> None:
        self.base = base
        self.schema = schema
        self._own: dict[str, dict[Any, Any]] = {}
        self._written: dict[str, set[Hashable]] = {}
        # (table, key, existed, old row, key was already in the write set) per write
        self._undo: list[tuple[str, Hashable, bool, Any, bool]] | None = None
        self._sealed = False

    def rows(self, table: Table[K, R]) -> Mapping[K, R]:
        """The rows of ``table`` as this transaction sees them (its own writes included)."""
        own = self._own.get(table.name)
        return cast("Mapping[K, R]", own) if own is not None else self.base.rows(table)

    def put(self, table: Table[K, R], key: K, row: R) -> None:
        """Insert or replace one row."""
        self._write(table.name, key, row)

    def remove(self, table: Table[K, R], key: K) -> None:
        """Delete one row (a no-op when it is absent)."""
        self._write(table.name, key, _ABSENT)

    def _write(self, name: str, key: Hashable, row: Any) -> None:
        if self._sealed:
            raise RuntimeError("transaction already committed or discarded")
        own = self._own.get(name)
        if own is None:
            own = self._own[name] = dict(self.base.tables.get(name, {}))
        written = self._written.setdefault(name, set())
        if self._undo is not None:
            self._undo.append((name, key, key in own, own.get(key), key in written))
        written.add(key)
        if row is _ABSENT:
            own.pop(key, None)
        else:
            own[key] = row

    @contextmanager
    def statement(self) -> Iterator[None]:
        """Run one repository call atomically: undo its writes if it raises."""
        if self._undo is not None:
            # Already inside a statement: the outer one undoes everything.
            yield
            return
        self._undo = []
        try:
            yield
        except BaseException:
            for name, key, existed, old, was_written in reversed(self._undo):
                if existed:
                    self._own[name][key] = old
                else:
                    self._own[name].pop(key, None)
                if not was_written:
                    self._written[name].discard(key)
            raise
        finally:
            self._undo = None

    @property
    def has_writes(self) -> bool:
        """True when the transaction wrote at least one row."""
        return any(self._written.values())

    def rebase(self, current: MemoryState) -> MemoryState:
        """This transaction's writes applied onto ``current``, or ConcurrencyError."""
        if current is self.base:
            return current.replace(self._own)
        merged: dict[str, dict[Any, Any]] = {}
        for name, keys in self._written.items():
            theirs, before = current.tables.get(name, {}), self.base.tables.get(name, {})
            table = merged[name] = dict(theirs)
            for key in keys:
                if theirs.get(key, _ABSENT) is not before.get(key, _ABSENT):
                    raise ConcurrencyError(
                        f"{name} row {key} was changed by a concurrent commit; retry the unit"
                    )
                row = self._own[name].get(key, _ABSENT)
                if row is _ABSENT:
                    table.pop(key, None)
                else:
                    table[key] = row
        state = current.replace(merged)
        violation = self.schema.find_violation(state)
        if violation is not None:
            raise ConcurrencyError(f"conflicts with a concurrent commit: {violation}; retry")
        return state

    def seal(self) -> None:
        """Forbid further writes: the private tables may now be shared as committed state."""
        self._sealed = True


class MemoryDatabase:
    """The committed state, replaced atomically by each commit."""

    def __init__(self) -> None:
        self._state = MemoryState()
        self.schema = MemorySchema()
        self._lock = threading.Lock()
        self.closed = False

    def ensure_open(self) -> None:
        """Raise :class:`StoreClosedError` once the store is closed."""
        if self.closed:
            raise StoreClosedError("store is closed")

    def begin(self) -> MemoryTransaction:
        """A new transaction reading the state committed now."""
        self.ensure_open()
        return MemoryTransaction(self._state, self.schema)

    def commit(self, transaction: MemoryTransaction) -> None:
        """Publish the transaction's writes, or raise ConcurrencyError and publish nothing."""
        self.ensure_open()
        transaction.seal()
        if not transaction.has_writes:
            return
        with self._lock:
            self._state = transaction.rebase(self._state)

    def close(self) -> None:
        """Drop the data; later calls raise :class:`StoreClosedError`."""
        self.closed = True
        self._state = MemoryState()


class TransactionScope(Protocol):
    """Where a repository runs its calls: autocommit on the store, or inside a unit."""

    def transaction(self) -> AbstractContextManager[MemoryTransaction]:
        """A transaction for one repository call; writes land when the context exits."""
        ...


class AutocommitScope:
    """The store's own repositories: every call is its own transaction."""

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        """Begin, run the call, commit; an exception discards the transaction."""
        transaction = self._database.begin()
        yield transaction
        self._database.commit(transaction)
