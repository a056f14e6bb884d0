"""Where a repository call runs: on its own, or inside a unit of work's transaction.

Repositories ask their scope for a session with ``read()`` or ``write()`` and
never manage transactions themselves, so the same repository code serves the
store and a unit of work:

* store, ``write(atomic=True)`` on a server with transactions: the call is a
  transaction of its own (a session started and committed around it);
* store, without transactions: no session; the repository keeps a multi-write
  call whole by undoing its own earlier writes when a later one fails, and
  writes children before parents, so a failure never leaves an orphan visible;
* unit of work: the unit's session, in the unit's transaction.

Driver errors raised in a scope are translated here (see :mod:`.errors`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol, TypeAlias

from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from repokit.domain.errors import StoreClosedError
from repokit.infrastructure.mongo.client import CallLock, Client, Database, Session
from repokit.infrastructure.mongo.errors import DRIVER_ERRORS, ErrorContext, translate_error

SessionUse: TypeAlias = AbstractAsyncContextManager["Session | None"]


class Scope(Protocol):
    """Hands sessions to repository calls."""

    database: MongoDatabase
    in_unit: bool
    """True inside a unit of work: every call is already transactional."""

    def read(self, context: ErrorContext | None = None) -> SessionUse:
        """``async with scope.read() as session`` (None: no session)."""
        ...

    def write(self, context: ErrorContext | None = None, *, atomic: bool = False) -> SessionUse:
        """``async with scope.write(atomic=...) as session`` (None: no session)."""
        ...


class MongoDatabase:
    """The connected database and what every scope needs to know about it."""

    def __init__(
        self, client: Client, db: Database, *, transactions: bool, embedding_dim: int
    ) -> None:
        self.client = client
        self.db = db
        self.transactions = transactions
        self.embedding_dim = embedding_dim
        self.closed = False

    def check_open(self) -> None:
        """``StoreClosedError`` once the store is closed."""
        if self.closed:
            raise StoreClosedError("store is closed")


def transaction_options() -> dict[str, object]:
    """Snapshot reads and majority writes: a unit sees one committed state."""
    return {"read_concern": ReadConcern("snapshot"), "write_concern": WriteConcern("majority")}


class StoreScope:
    """Each call on its own; atomic writes in a transaction of their own where available."""

    in_unit = False

    def __init__(self, database: MongoDatabase) -> None:
        self.database = database

    @asynccontextmanager
    async def read(self, context: ErrorContext | None = None) -> AsyncIterator[Session | None]:
        """No session: each command reads the latest committed data."""
        self.database.check_open()
        try:
            yield None
        except DRIVER_ERRORS as exc:
            raise translate_error(exc, context) from exc

    @asynccontextmanager
    async def write(
        self, context: ErrorContext | None = None, *, atomic: bool = False
    ) -> AsyncIterator[Session | None]:
        """A transaction for an ``atomic`` call where the server has them, else no session."""
        database = self.database
        database.check_open()
        if not (atomic and database.transactions):
            try:
                yield None
            except DRIVER_ERRORS as exc:
                raise translate_error(exc, context) from exc
            return
        try:
            session = database.client.start_session()
            try:
                await session.start_transaction(**transaction_options())  # type: ignore[arg-type]
                try:
                    yield session
                except BaseException:
                    await session.abort_transaction()
                    raise
                await session.commit_transaction()
            finally:
                await session.end_session()
        except DRIVER_ERRORS as exc:
            raise translate_error(exc, context) from exc


class UnitSession(Protocol):
    """The unit of work as its scope sees it."""

    def session_for_call(self) -> Session: ...


class UnitScope:
    """Every call runs in the unit's session and transaction, one call at a time."""

    in_unit = True

    def __init__(self, database: MongoDatabase, unit: UnitSession) -> None:
        self.database = database
        self._unit = unit
        self.lock = CallLock()

    @asynccontextmanager
    async def read(self, context: ErrorContext | None = None) -> AsyncIterator[Session | None]:
        """The unit's session."""
        async with self._use(context) as session:
            yield session

    @asynccontextmanager
    async def write(
        self, context: ErrorContext | None = None, *, atomic: bool = False
    ) -> AsyncIterator[Session | None]:
        """The unit's session (its transaction makes every call atomic)."""
        async with self._use(context) as session:
            yield session

    @asynccontextmanager
    async def _use(self, context: ErrorContext | None) -> AsyncIterator[Session]:
        self.database.check_open()
        session = self._unit.session_for_call()
        async with self.lock:
            try:
                yield session
            except DRIVER_ERRORS as exc:
                raise translate_error(exc, context) from exc


__all__ = [
    "MongoDatabase",
    "Scope",
    "StoreScope",
    "UnitScope",
    "UnitSession",
    "transaction_options",
]
