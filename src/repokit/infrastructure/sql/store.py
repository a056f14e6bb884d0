"""``SqlStore``: the six repositories on a SQL database, plus units of work."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from repokit.infrastructure.entity_repositories import ProvidesEntityRepositories
from repokit.infrastructure.sql.concurrency import current_owner
from repokit.infrastructure.sql.database import SqlDatabase, attach_repositories
from repokit.infrastructure.sql.driver import SqlConnection
from repokit.infrastructure.sql.errors import DRIVER_ERRORS, driver_error, translate_error
from repokit.infrastructure.sql.migration_lock import async_alembic_lock
from repokit.infrastructure.sql.scopes import StoreScope
from repokit.infrastructure.sql.unit_of_work import SqlUnitOfWork

if TYPE_CHECKING:
    from repokit.infrastructure.sql.migrations import Progress


class SqlStore(ProvidesEntityRepositories, StorePort):
    """A connected SQL store. Outside a unit of work every repository call is its own
    transaction; ``unit_of_work()`` groups calls into one. ``repository(Model)`` stores
    any declared entity (see :mod:`.entity_repository`).
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
            database.pool,
            database.active_unit,
            single_connection=database.single_connection,
            single_writer=database.single_writer,
        )
        self.entity_repositories = attach_repositories(self, scope, database)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"SqlStore({self._database.description!r}, {state})"

    @property
    def server(self) -> str:
        """What the server said of itself at connect time (``repokit doctor`` prints it);
        empty where it says nothing."""
        return self._database.server

    def unit_of_work(self) -> SqlUnitOfWork:
        """A new unit of work; use it as ``async with store.unit_of_work() as uow``."""
        self._check_open()
        return SqlUnitOfWork(self._database)

    async def migrate(self, *, progress: Progress | None = None) -> None:
        """Bring the schema to the newest Alembic revision and make every declared entity
        storable; safe to run again.

        Runs the revisions of ``migrations/`` (see
        :mod:`repokit.infrastructure.sql.migrations`), then adds what the declared
        entities lack (tables, columns, indexes; see :mod:`.entity_schema`), on one
        of the store's own connections, so ``sqlite:///:memory:`` migrates the very
        database the store uses, in one transaction (``BEGIN IMMEDIATE`` on SQLite,
        whose DDL is transactional): concurrent migrations serialise and a failure
        leaves nothing half-made. ``progress`` hears of each revision applied.

        Raises:
            ConfigurationError: the database was built for another ``EMBEDDING_DIM``, or
                a declared entity differs from its table in a way adding cannot resolve
                (write an Alembic revision).
            BackendUnavailableError: pgvector is missing on a PostgreSQL server.
        """
        self._check_open()
        database = self._database
        if database.active_unit.held_by(current_owner()) is not None:
            raise CapabilityError("migrate() cannot run while a unit of work is open in this task")
        async with async_alembic_lock():  # Alembic's proxies are process-global
            connection = await database.pool.acquire()
            try:
                await _run_revisions(connection, self.embedding_dim, progress)
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


async def _run_revisions(
    connection: SqlConnection, embedding_dim: int, progress: Progress | None
) -> None:
    """Upgrade to head in one transaction on ``connection``; roll back on any failure."""
    # Imported here: Alembic is needed to migrate, not to use a migrated store.
    from repokit.infrastructure.sql.migrations import migrate_connection

    sqlite = connection.dialect_name == "sqlite"
    try:
        if sqlite:
            # SQLite requires foreign keys off while a revision rebuilds a table
            # (dropping a parent would cascade), and only outside a transaction;
            # env.py runs PRAGMA foreign_key_check before the commit instead.
            await connection.fetch_all("PRAGMA foreign_keys = OFF")
        await connection.begin("IMMEDIATE")
        await connection.run_sync(
            migrate_connection, embedding_dim=embedding_dim, progress=progress
        )
        await connection.commit()
    except DRIVER_ERRORS as exc:
        await connection.rollback_quietly()
        raise translate_error(exc) from driver_error(exc)
    except BaseException:
        await connection.rollback_quietly()
        raise
    finally:
        if sqlite:
            await _restore_foreign_keys(connection)


async def _restore_foreign_keys(connection: SqlConnection) -> None:
    try:
        await connection.fetch_all("PRAGMA foreign_keys = ON")
    except DRIVER_ERRORS:
        connection.broken = True  # the pool closes it rather than hand out one without FKs


__all__ = ["SqlStore"]
