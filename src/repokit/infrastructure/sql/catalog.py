"""Every mapping and precompiled statement of the store's tables: compiled once per
process and dialect flavour and shared by every store (a declared entity's on first
use, see :mod:`.entity_catalog`), beside each store's own search state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Text, bindparam, literal_column, select
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect

from repokit.domain.entities import (
    AclEntry,
    AuditEvent,
    ChatMessage,
    Chunk,
    Document,
    Role,
)
from repokit.domain.entity import Entity
from repokit.domain.search_tuning import DEFAULT_TARGET_RECALL
from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.entity_catalog import (
    EntitySql,
    MadeOnce,
    dialect_flavour,
    shared_entity_sql,
)
from repokit.infrastructure.sql.filters import CompiledFilterCache, FilterTarget, JsonDialect
from repokit.infrastructure.sql.json_mysql import MYSQL_JSON
from repokit.infrastructure.sql.json_postgres import POSTGRES_JSON
from repokit.infrastructure.sql.json_sqlite import SQLITE_JSON
from repokit.infrastructure.sql.mapping import EntityMapping
from repokit.infrastructure.sql.statements import CompiledSql, EntityStatements, compile_sql

if TYPE_CHECKING:
    from repokit.infrastructure.sql.pgvector_sql import SearchStatements

E = TypeVar("E", bound=Entity)

DOCUMENT_FILTER_FIELDS = ("title", "created_at", "updated_at", "workspace_id")


def _role_value(role: Any) -> str:
    return Role(role).value


class DialectSql:
    """The mappings, compiled statements and filter target of repokit's tables on one
    dialect flavour: no state of any one database, so one per process and flavour
    (:func:`dialect_sql`) serves every store, which then opens without compiling."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.json: JsonDialect = self._json_dialect(dialect)
        self.documents = EntityStatements(
            EntityMapping(Document, tables.documents, dialect),
            updatable=("workspace_id", "title", "content", "metadata", "updated_at"),
            returning=("created_at",),
        )
        self.chunks = EntityStatements(EntityMapping(Chunk, tables.chunks, dialect))
        self.audit = EntityStatements(EntityMapping(AuditEvent, tables.audit_events, dialect))
        self.chats = EntityStatements(EntityMapping(ChatMessage, tables.chat_messages, dialect))
        self.acl = EntityMapping(
            AclEntry,
            tables.workspace_acl,
            dialect,
            to_column={"role": _role_value},
            to_field={"role": Role},
        )
        self.document_filter = FilterTarget.for_table(
            tables.documents, self.json, DOCUMENT_FILTER_FIELDS
        )
        self.document_filters = CompiledFilterCache(self.document_filter)
        chunk_table = tables.chunks
        self.chunks_of_document = compile_sql(
            select(chunk_table)
            .where(chunk_table.c.document_id == bindparam("document_id"))
            .order_by(chunk_table.c.ordinal),
            dialect,
        )
        self.document_exists = self._exists(tables.documents)
        self.user_exists = self._exists(tables.users)
        self.workspace_exists = self._exists(tables.workspaces)
        self.acl_upsert = self._acl_upsert(dialect)
        self._chunks_by_ids: dict[int, CompiledSql] = {}

    def chunks_by_ids(self, count: int) -> CompiledSql:
        """``SELECT`` of ``count`` chunks by id, compiled once per count."""
        compiled = self._chunks_by_ids.get(count)
        if compiled is None:
            chunks = tables.chunks
            names = [f"id_{i}" for i in range(count)]
            statement = select(chunks).where(chunks.c.id.in_([bindparam(n) for n in names]))
            compiled = self._chunks_by_ids[count] = compile_sql(statement, self.dialect)
        return compiled

    def _exists(self, table: Any) -> CompiledSql:
        return compile_sql(
            select(literal_column("1")).where(table.c.id == bindparam("id")), self.dialect
        )

    @staticmethod
    def _json_dialect(dialect: Dialect) -> JsonDialect:
        if dialect.name == "sqlite":
            return SQLITE_JSON
        if dialect.name == "postgresql":
            return POSTGRES_JSON
        if dialect.name == "mysql":
            return MYSQL_JSON
        raise NotImplementedError(f"no JSON filter compiler for the {dialect.name} dialect yet")

    @staticmethod
    def _acl_upsert(dialect: Dialect) -> CompiledSql:
        acl = tables.workspace_acl
        values: dict[str, Any] = {column.name: bindparam(column.name) for column in acl.columns}
        if dialect.name == "mysql":
            # The primary key (workspace_id, user_id) is the only unique key it can hit.
            upsert = mysql.insert(acl).values(values)
            return compile_sql(
                upsert.on_duplicate_key_update(
                    role=upsert.inserted.role, granted_at=upsert.inserted.granted_at
                ),
                dialect,
            )
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        statement = insert(acl).values(
            {column.name: bindparam(column.name) for column in acl.columns}
        )
        statement = statement.on_conflict_do_update(
            index_elements=[acl.c.workspace_id, acl.c.user_id],
            set_={"role": statement.excluded.role, "granted_at": statement.excluded.granted_at},
        )
        return compile_sql(statement, dialect)


_DIALECT_SQL: MadeOnce[DialectSql] = MadeOnce()


def dialect_sql(dialect: Dialect) -> DialectSql:
    """The :class:`DialectSql` of ``dialect``'s flavour, made once per process."""
    return _DIALECT_SQL.get(dialect_flavour(dialect), lambda: DialectSql(dialect))


class Catalog:
    """What one store's repositories compile and cache: the dialect's shared statements
    (:class:`DialectSql`, exposed as attributes) and the store's own search state."""

    def __init__(self, dialect: Dialect) -> None:
        shared = dialect_sql(dialect)
        self.dialect = dialect
        self.json = shared.json
        self.documents = shared.documents
        self.chunks = shared.chunks
        self.audit = shared.audit
        self.chats = shared.chats
        self.acl = shared.acl
        self.document_filter = shared.document_filter
        self.document_filters = shared.document_filters
        self.chunks_of_document = shared.chunks_of_document
        self.document_exists = shared.document_exists
        self.user_exists = shared.user_exists
        self.workspace_exists = shared.workspace_exists
        self.acl_upsert = shared.acl_upsert
        self.chunks_by_ids = shared.chunks_by_ids
        self.search_statements: SearchStatements | None = None
        """PostgreSQL's compiled vector searches and what they learnt of this database's
        filters (their selectivity); None elsewhere."""
        self.target_recall = DEFAULT_TARGET_RECALL
        """recall@10 ``tune_search`` aims at by default (``REPOKIT_TARGET_RECALL``)."""
        if dialect.name == "postgresql":
            # Imported here: vector_postgres builds on this module.
            from repokit.infrastructure.sql.pgvector_sql import SearchStatements

            self.search_statements = SearchStatements(self)
        self._entities: dict[type[Any], EntitySql[Any]] = {}

    def entity(self, model: type[E]) -> EntitySql[E]:
        """The table, statements and filters of the declared entity ``model``."""
        made = self._entities.get(model)
        if made is None:  # two threads may both ask: they get the one shared value
            made = self._entities[model] = shared_entity_sql(model, self.dialect, self.json)
        return made

    def embedding_values(self, matrix: npt.NDArray[np.float32]) -> list[Any]:
        """Driver values of a validated float32 embedding matrix, one per row:
        packed little-endian bytes on SQLite, the rows themselves on PostgreSQL
        (the connection's binary codec writes them)."""
        if self.dialect.name == "postgresql":
            return list(matrix)
        packed = matrix.astype("<f4")
        return [row.tobytes() for row in packed]

    def order_column(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        """``column`` as listings sort it: text by code point on every dialect."""
        if isinstance(column.type, Text):
            return self.json.code_point(column)
        return column


__all__ = ["DOCUMENT_FILTER_FIELDS", "Catalog", "DialectSql", "dialect_sql"]
