"""``SqlStore``: the six repositories on a SQL database, plus units of work."""

from __future__ import annotations

from repokit.domain.errors import CapabilityError, StoreClosedError
from repokit.domain.ports import (
    AuditLogPort,
    ChatHistoryPort,
    DocumentRepositoryPort,
    StorePort,
    UserRepositoryPort,
    WorkspaceAclPort,
    WorkspaceRepositoryPort,
)
from repokit.infrastructure.sql.concurrency import current_owner
from repokit.infrastructure.sql.database import SqlDatabase, attach_repositories
from repokit.infrastructure.sql.errors import DRIVER_ERRORS, driver_error, translate_error
from repokit.infrastructure.sql.scopes import StoreScope
from repokit.infrastructure.sql.tables import metadata
from repokit.infrastructure.sql.unit_of_work import SqlUnitOfWork


class SqlStore(StorePort):
    """A connected SQL store. Outside a unit of work every repository call is its own
    transaction; ``unit_of_work()`` groups calls into one.
    """

    documents: DocumentRepositoryPort
    users: UserRepositoryPort
    workspaces: WorkspaceRepositoryPort
    acl: WorkspaceAclPort
    audit: AuditLogPort
    chats: ChatHistoryPort

    def __init__(self, database: SqlDatabase) -> None:
        self._database = database
        self.capabilities = database.capabilities
        self.embedding_dim = database.embedding_dim
        self._closed = False
        scope = StoreScope(
            database.pool, database.active_unit, single_connection=database.single_connection
        )
        attach_repositories(self, scope, database)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"SqlStore({self._database.description!r}, {state})"

    def unit_of_work(self) -> SqlUnitOfWork:
        """A new unit of work; use it as ``async with store.unit_of_work() as uow``."""
        self._check_open()
        return SqlUnitOfWork(self._database)

    async def migrate(self) -> None:
        """Create the tables and indexes that are missing; safe to run again.

        Runs in one ``BEGIN IMMEDIATE`` transaction (SQLite's DDL is transactional),
        so concurrent migrations serialise and a failure leaves nothing half-made.
        """
        self._check_open()
        database = self._database
        unit = database.active_unit.get()
        if unit is not None and unit.is_open and unit.owner is current_owner():
            raise CapabilityError("migrate() cannot run while a unit of work is open in this task")
        connection = await database.pool.acquire()
        try:
            await connection.begin("IMMEDIATE")
            await connection.sa.run_sync(metadata.create_all)
            await connection.commit()
        except DRIVER_ERRORS as exc:
            await connection.rollback_quietly()
            raise translate_error(exc) from driver_error(exc)
        except BaseException:
            await connection.rollback_quietly()
            raise
        finally:
            await database.pool.release(connection)

    async def close(self) -> None:
        """Close every connection; idempotent. Later calls raise ``StoreClosedError``."""
        if self._closed:
            return
        self._closed = True
        await self._database.pool.close()
        await self._database.engine.dispose()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosedError("store is closed")


__all__ = ["SqlStore"]
