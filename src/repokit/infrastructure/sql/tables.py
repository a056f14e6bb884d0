"""The SQL schema, one ``MetaData`` shared by the SQLite, PostgreSQL and MySQL adapters
(MySQL's table and index options: :mod:`.mysql_ddl`).

``users`` and ``workspaces`` are the tables of the built-in declared entities,
generated from ``User`` and ``Workspace`` as every declared entity's table is
(:mod:`.entity_tables`). Cascades follow ``docs/semantics.md``: deleting a
document removes its chunks; deleting a workspace removes its ACL entries,
documents and chunks; deleting a user removes their ACL entries, while a user
who owns a workspace is protected (``Ref(User, on_delete="restrict")``, reported
as ``InUseError``). Audit events and chat messages hold no
foreign keys: the audit log is append-only and outlives what it talks about.

Indexes serve the page queries: every keyset listing is ``(timestamp, id)``
behind its equality filter, so each listing reads one index range in order.
PostgreSQL also gets a GIN index on the documents' ``jsonb`` metadata and an
HNSW index on the chunks' embeddings; they are declared here with
``ddl_if(dialect="postgresql")``, so SQLite never creates them.

The Alembic revisions in ``migrations/versions`` create exactly this schema;
``tests/integration/test_migrations.py`` compares the two on both databases.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.dialects.mysql import VARCHAR

from repokit.domain.entities import User, Workspace
from repokit.domain.entity_spec import spec_of
from repokit.infrastructure.sql.entity_tables import add_entity_table
from repokit.infrastructure.sql.mysql_ddl import MYSQL_TABLE_OPTIONS, index_options
from repokit.infrastructure.sql.types import (
    ExactDecimal,
    Float32Vector,
    JsonDocument,
    StoredText,
    UtcDateTime,
    UUIDType,
)

HNSW_OPTIONS: dict[str, int] = {"m": 16, "ef_construction": 64}
"""pgvector HNSW build parameters of ``chunks.embedding`` (pgvector's defaults).

The one place they are written: the migration that builds the index reads them
from here. Once a release has shipped, changing them needs a new revision that
rebuilds the index (``DROP INDEX`` + ``CREATE INDEX``), else existing databases
keep the old ones.
"""

# Deterministic constraint names, so hand-written migrations can refer to them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The built-in declared entities: their tables are generated from the spec, like
# a service's own entities' (see entity_tables), and created by the Alembic chain.
users = add_entity_table(metadata, spec_of(User))
workspaces = add_entity_table(metadata, spec_of(Workspace))

workspace_acl = Table(
    "workspace_acl",
    metadata,
    Column(
        "workspace_id",
        UUIDType(),
        ForeignKey("workspaces.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("user_id", UUIDType(), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", StoredText, nullable=False),
    Column("granted_at", UtcDateTime(), nullable=False),
    CheckConstraint("role IN ('viewer', 'editor', 'owner')", name="role"),
    **MYSQL_TABLE_OPTIONS,
)
Index(
    "ix_workspace_acl_members",
    workspace_acl.c.workspace_id,
    workspace_acl.c.granted_at,
    workspace_acl.c.user_id,
)
Index(
    "ix_workspace_acl_user",
    workspace_acl.c.user_id,
    workspace_acl.c.granted_at,
    workspace_acl.c.workspace_id,
)

documents = Table(
    "documents",
    metadata,
    Column("id", UUIDType(), primary_key=True),
    Column(
        "workspace_id",
        UUIDType(),
        ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=True,
    ),
    Column("title", StoredText, nullable=False),
    Column("content", StoredText, nullable=False),
    Column("metadata", JsonDocument, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    **MYSQL_TABLE_OPTIONS,
)
Index("ix_documents_created", documents.c.created_at, documents.c.id)
# jsonb_path_ops: smaller and faster than the default GIN opclass for the
# containment (@>) tests the compiled filters use; PostgreSQL only.
Index(
    "ix_documents_metadata_gin",
    documents.c.metadata,
    postgresql_using="gin",
    postgresql_ops={"metadata": "jsonb_path_ops"},
).ddl_if(dialect="postgresql")
Index(
    "ix_documents_workspace",
    documents.c.workspace_id,
    documents.c.created_at,
    documents.c.id,
)

chunks = Table(
    "chunks",
    metadata,
    Column("id", UUIDType(), primary_key=True),
    Column(
        "document_id",
        UUIDType(),
        ForeignKey("documents.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("ordinal", Integer, nullable=False),
    Column("content", StoredText, nullable=False),
    Column("embedding", Float32Vector(), nullable=False),
    Column("metadata", JsonDocument, nullable=False),
    **MYSQL_TABLE_OPTIONS,
)
# Serves get_chunks' order, the cascade from documents and the ordinal rule.
Index("uq_chunks_document_ordinal", chunks.c.document_id, chunks.c.ordinal, unique=True)
# Approximate nearest neighbours by cosine distance; PostgreSQL only (SQLite scans exactly).
Index(
    "ix_chunks_embedding_hnsw",
    chunks.c.embedding,
    postgresql_using="hnsw",
    postgresql_ops={"embedding": "vector_cosine_ops"},
    postgresql_with=HNSW_OPTIONS,
).ddl_if(dialect="postgresql")

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", UUIDType(), primary_key=True),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("actor_id", UUIDType(), nullable=True),
    Column("action", StoredText, nullable=False),
    Column("entity_type", StoredText, nullable=False),
    Column("entity_id", StoredText, nullable=False),
    Column("payload", JsonDocument, nullable=False),
    **MYSQL_TABLE_OPTIONS,
)
Index("ix_audit_events_occurred", audit_events.c.occurred_at, audit_events.c.id)
Index(
    "ix_audit_events_entity",
    audit_events.c.entity_type,
    audit_events.c.entity_id,
    audit_events.c.occurred_at,
    audit_events.c.id,
    **index_options([audit_events.c.entity_type, audit_events.c.entity_id]),
)
Index(
    "ix_audit_events_actor",
    audit_events.c.actor_id,
    audit_events.c.occurred_at,
    audit_events.c.id,
)

chat_messages = Table(
    "chat_messages",
    metadata,
    Column("id", UUIDType(), primary_key=True),
    Column("session_id", UUIDType(), nullable=False),
    Column("role", StoredText, nullable=False),
    Column("content", StoredText, nullable=False),
    Column("tokens_used", BigInteger, nullable=False),
    Column("model", StoredText, nullable=False),
    Column("cost_usd", ExactDecimal(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint("role IN ('user', 'assistant', 'system', 'tool')", name="role"),
    **MYSQL_TABLE_OPTIONS,
)
Index(
    "ix_chat_messages_session",
    chat_messages.c.session_id,
    chat_messages.c.created_at,
    chat_messages.c.id,
)

schema_settings = Table(
    "schema_settings",
    metadata,
    # A key cannot be TEXT on MySQL: the names are short.
    Column("name", Text().with_variant(VARCHAR(255), "mysql"), primary_key=True),
    Column("value", StoredText, nullable=False),
    **MYSQL_TABLE_OPTIONS,
)
"""Settings the schema was built with (``embedding_dim``): a later migration run
with another value fails clearly instead of mixing vector lengths."""

__all__ = [
    "HNSW_OPTIONS",
    "audit_events",
    "chat_messages",
    "chunks",
    "documents",
    "metadata",
    "schema_settings",
    "users",
    "workspace_acl",
    "workspaces",
]
