"""What a store and its units of work share: engine, connections, catalog, open-unit tracking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from repokit.domain.capabilities import Capabilities
from repokit.domain.entities import User, Workspace
from repokit.domain.entity_spec import spec_of
from repokit.infrastructure.builtin_entities import EntityUserRepository, EntityWorkspaceRepository
from repokit.infrastructure.entity_repositories import EntityRepositories
from repokit.infrastructure.sql.acl import SqlWorkspaceAcl
from repokit.infrastructure.sql.audit import SqlAuditLog
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.chats import SqlChatHistory
from repokit.infrastructure.sql.documents import SqlDocumentRepository
from repokit.infrastructure.sql.driver import Engine
from repokit.infrastructure.sql.entity_repository import SqlEntityRepository
from repokit.infrastructure.sql.pool import ConnectionPool
from repokit.infrastructure.sql.scopes import OpenUnit, Scope
from repokit.infrastructure.sql.telemetry import instrument
from repokit.infrastructure.unit_guard import UnitSlot


@dataclass(eq=False)
class SqlDatabase:
    """An opened SQL database as the store and its units of work use it.

    Attributes:
        engine: the SQLAlchemy engine (it only opens connections).
        pool: the adapter's connections.
        catalog: mappings and precompiled statements.
        capabilities: what this database offers.
        embedding_dim: the length every embedding must have.
        single_connection: True for an in-memory database.
        description: the URL with any secret redacted, for reprs and messages.
        savepoint_every_write: run every write of a unit in a savepoint (PostgreSQL
            aborts the transaction on any error; see :class:`~.scopes.UnitScope`).
        slow_query_s: repository calls slower than this are logged (:mod:`.telemetry`).
        single_writer: one writer at a time (SQLite's lock), see :class:`~.scopes.StoreScope`.
        server: what the server said of itself at connect time (version and the facts
            the adapter adapts to), for ``repokit doctor``; empty where it says nothing.
    """

    engine: Engine
    pool: ConnectionPool
    catalog: Catalog
    capabilities: Capabilities
    embedding_dim: int
    single_connection: bool
    description: str
    savepoint_every_write: bool = False
    slow_query_s: float = 0.5
    single_writer: bool = True
    server: str = ""
    active_unit: UnitSlot[OpenUnit] = field(init=False)

    def __post_init__(self) -> None:
        # One slot per database: the unit of work open in the current task (and
        # inherited by the tasks it starts), so misuse is refused instead of deadlocking.
        self.active_unit = UnitSlot(f"repokit_sql_unit_{id(self):x}")


_TABLES = {
    "documents": "documents",
    "acl": "workspace_acl",
    "audit": "audit_events",
    "chats": "chat_messages",
}
"""The table each repository of the store mainly works on, for spans."""


def attach_repositories(owner: Any, scope: Scope, database: SqlDatabase) -> EntityRepositories:
    """Give ``owner`` (a store or a unit of work) the six repositories, bound to ``scope``;
    returns its declared-entity repositories (``users`` and ``workspaces`` among them)."""
    catalog = database.catalog
    system = database.capabilities.backend

    def entity_repository(model: type[Any]) -> SqlEntityRepository[Any]:
        repository = SqlEntityRepository(scope, catalog.entity(model))
        table = spec_of(model).table()
        instrument(
            repository, name=table, table=table, system=system, slow_query_s=database.slow_query_s
        )
        return repository

    entities = EntityRepositories(entity_repository)
    repositories: dict[str, object] = {
        "documents": SqlDocumentRepository(scope, catalog, database.embedding_dim),
        "acl": SqlWorkspaceAcl(scope, catalog),
        "audit": SqlAuditLog(scope, catalog),
        "chats": SqlChatHistory(scope, catalog),
    }
    for name, repository in repositories.items():
        instrument(
            repository,
            name=name,
            table=_TABLES[name],
            system=system,
            slow_query_s=database.slow_query_s,
        )
        setattr(owner, name, repository)
    owner.users = EntityUserRepository(entities.get(User))
    owner.workspaces = EntityWorkspaceRepository(entities.get(Workspace))
    return entities


__all__ = ["SqlDatabase", "attach_repositories"]
