"""The MongoDB unit of work: one client-session transaction (replica set or sharded cluster).

The session's transaction starts when the block is entered and again after
each mid-block ``commit()``/``rollback()``; it reads a snapshot (read concern
``snapshot``) and commits with write concern ``majority``. A write conflict
with a concurrent transaction (the first commit wins) raises
``ConcurrencyError``. Only stores whose ``capabilities.transactions`` is True
hand out units; see :meth:`.store.MongoStore.unit_of_work`.
"""

from __future__ import annotations

from contextlib import suppress
from types import TracebackType
from typing import Self

from repokit.domain.ports import UnitOfWorkPort
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories
from repokit.infrastructure.mongo.client import Session, current_owner
from repokit.infrastructure.mongo.errors import DRIVER_ERRORS, translate_error
from repokit.infrastructure.mongo.repositories import attach_repositories
from repokit.infrastructure.mongo.scopes import (
    MongoDatabase,
    UnitScope,
    transaction_options,
)
from repokit.infrastructure.unit_guard import UnitGuard, UnitSlot, closed_unit_error


class MongoUnitOfWork(ProvidesEntityRepositories, UnitOfWorkPort):
    """``async with store.unit_of_work() as uow``: commit on a clean exit, else abort."""

    def __init__(
        self,
        database: MongoDatabase,
        slot: UnitSlot[MongoUnitOfWork],
        *,
        vector_index: bool,
    ) -> None:
        self._database = database
        self._guard = UnitGuard(slot)
        self._session: Session | None = None
        self._scope = UnitScope(database, self)
        self.entity_repositories = attach_repositories(self, self._scope, vector_index=vector_index)

    @property
    def is_open(self) -> bool:
        """True inside the ``async with`` block."""
        return self._guard.is_open

    @property
    def owner(self) -> object | None:
        """The task (thread, in the sync form) that entered the unit."""
        return self._guard.owner

    def session_for_call(self) -> Session:
        """The unit's session, or the error saying why it cannot be used."""
        self._database.check_open()
        if not self._guard.is_open or self._session is None:
            raise closed_unit_error()
        return self._session

    async def __aenter__(self) -> Self:
        self._database.check_open()
        owner = current_owner()
        self._guard.check_enter(owner)
        try:
            session = self._database.client.start_session()
            await session.start_transaction(**transaction_options())  # type: ignore[arg-type]
        except DRIVER_ERRORS as exc:
            raise translate_error(exc) from exc
        self._session = session
        self._guard.enter(self, owner)
        return self

    async def commit(self) -> None:
        """Commit the writes so far; the block goes on in a new transaction."""
        session = self.session_for_call()
        async with self._scope.lock:
            try:
                await session.commit_transaction()
            except DRIVER_ERRORS as exc:
                await self._restart(session)
                raise translate_error(exc) from exc
            await self._restart(session)

    async def rollback(self) -> None:
        """Discard the writes since the last commit; the block goes on."""
        session = self.session_for_call()
        async with self._scope.lock:
            try:
                await session.abort_transaction()
            except DRIVER_ERRORS as exc:
                raise translate_error(exc) from exc
            await self._restart(session)

    async def _restart(self, session: Session) -> None:
        if session.in_transaction:
            with suppress(*DRIVER_ERRORS):
                await session.abort_transaction()
        try:
            await session.start_transaction(**transaction_options())  # type: ignore[arg-type]
        except DRIVER_ERRORS as exc:
            raise translate_error(exc) from exc

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._guard.is_open:
            return
        session = self._session
        assert session is not None
        try:
            if exc is None and not self._database.closed:
                try:
                    await session.commit_transaction()
                except DRIVER_ERRORS as commit_error:
                    raise translate_error(commit_error) from commit_error
            elif session.in_transaction and not self._database.closed:
                with suppress(*DRIVER_ERRORS):  # the block's own exception is the one to report
                    await session.abort_transaction()
        finally:
            self._guard.close()
            self._session = None
            with suppress(*DRIVER_ERRORS):
                await session.end_session()


__all__ = ["MongoUnitOfWork"]
