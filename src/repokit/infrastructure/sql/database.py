"""What a store and its units of work share: engine, connections, catalog, open-unit tracking."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from repokit.domain.capabilities import Capabilities
from repokit.infrastructure.sql.acl import SqlWorkspaceAcl
from repokit.infrastructure.sql.audit import SqlAuditLog
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.chats import SqlChatHistory
from repokit.infrastructure.sql.documents import SqlDocumentRepository
from repokit.infrastructure.sql.pool import ConnectionPool
from repokit.infrastructure.sql.scopes import OpenUnit, Scope
from repokit.infrastructure.sql.users import SqlUserRepository
from repokit.infrastructure.sql.workspaces import SqlWorkspaceRepository


@dataclass(eq=False)
class SqlDatabase:
    """An opened SQL database as the store and its units of work use it.

    Attributes:
        engine: the SQLAlchemy async engine (it only opens connections and runs DDL).
        pool: the adapter's connections.
        catalog: mappings and precompiled statements.
        capabilities: what this database offers.
        embedding_dim: the length every embedding must have.
        single_connection: True for an in-memory database.
        description: the URL with any secret redacted, for reprs and messages.
    """

    engine: AsyncEngine
    pool: ConnectionPool
    catalog: Catalog
    capabilities: Capabilities
    embedding_dim: int
    single_connection: bool
    description: str
    active_unit: ContextVar[OpenUnit | None] = field(init=False)

    def __post_init__(self) -> None:
        # One variable per database: the unit of work open in the current task (and
        # inherited by the tasks it starts), so misuse is refused instead of deadlocking.
        self.active_unit = ContextVar(f"repokit_sql_unit_{id(self):x}", default=None)


def attach_repositories(owner: Any, scope: Scope, database: SqlDatabase) -> None:
    """Give ``owner`` (a store or a unit of work) the six repositories, bound to ``scope``."""
    catalog = database.catalog
    owner.documents = SqlDocumentRepository(scope, catalog, database.embedding_dim)
    owner.users = SqlUserRepository(scope, catalog)
    owner.workspaces = SqlWorkspaceRepository(scope, catalog)
    owner.acl = SqlWorkspaceAcl(scope, catalog)
    owner.audit = SqlAuditLog(scope, catalog)
    owner.chats = SqlChatHistory(scope, catalog)


__all__ = ["SqlDatabase", "attach_repositories"]
