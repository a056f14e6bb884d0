"""tables: users, workspaces, ACL, documents, chunks, audit events, chat messages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Hand-written DDL for the schema of ``repokit.infrastructure.sql.tables``, with
the storage types spelled out per dialect (see ``types.py`` for why each):
a revision describes the database as it was at this point in history, so it
does not import the adapter's column types, which may change later.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import UserDefinedType

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG = "postgresql"
_MYSQL = "mysql"
# MySQL / MariaDB: InnoDB tables in utf8mb4 with the binary collation (code-point
# order, whatever the server's default); see repokit.infrastructure.sql.mysql_ddl.
_MYSQL_TABLE = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
}


class _Vector(UserDefinedType[Any]):
    """pgvector's ``vector(n)``, for DDL only (no pgvector Python package needed)."""

    cache_ok = True

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def get_col_spec(self, **_: Any) -> str:
        return f"vector({self.dim})"


def _uuid() -> sa.types.TypeEngine[Any]:
    return (
        sa.LargeBinary(16)
        .with_variant(postgresql.UUID(as_uuid=True), _PG)
        .with_variant(mysql.BINARY(16), _MYSQL)
    )


def _timestamp() -> sa.types.TypeEngine[Any]:
    # SQLite: integer microseconds since the epoch; MySQL: naive UTC.
    return (
        sa.BigInteger()
        .with_variant(postgresql.TIMESTAMP(timezone=True), _PG)
        .with_variant(mysql.DATETIME(fsp=6), _MYSQL)
    )


def _text() -> sa.types.TypeEngine[Any]:
    # MySQL's TEXT holds 64 KiB.
    return sa.Text().with_variant(mysql.LONGTEXT(), _MYSQL)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), _PG)


def _decimal() -> sa.types.TypeEngine[Any]:
    return sa.Text().with_variant(sa.Numeric(), _PG)


def _vector(dim: int) -> sa.types.TypeEngine[Any]:
    # SQLite and MySQL: packed float32; the repository checks the length.
    return sa.LargeBinary().with_variant(_Vector(dim), _PG).with_variant(mysql.LONGBLOB(), _MYSQL)


def upgrade() -> None:
    """Create the tables, their constraints and the page-query indexes."""
    dim = int(context.config.attributes["embedding_dim"])
    op.create_table(
        "users",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("email", _text(), nullable=False),
        sa.Column("display_name", _text(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        **_MYSQL_TABLE,
    )
    if op.get_context().dialect.name != _MYSQL:
        # MariaDB has no index on an expression; 0004 replaces this one anyway.
        op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
    op.create_index("ix_users_created", "users", ["created_at", "id"])

    op.create_table(
        "workspaces",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("name", _text(), nullable=False),
        sa.Column("owner_id", _uuid(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workspaces"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_workspaces_owner_id_users", ondelete="RESTRICT"
        ),
        **_MYSQL_TABLE,
    )
    op.create_index("ix_workspaces_created", "workspaces", ["created_at", "id"])
    op.create_index("ix_workspaces_owner", "workspaces", ["owner_id", "created_at", "id"])

    op.create_table(
        "workspace_acl",
        sa.Column("workspace_id", _uuid(), nullable=False),
        sa.Column("user_id", _uuid(), nullable=False),
        sa.Column("role", _text(), nullable=False),
        sa.Column("granted_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "user_id", name="pk_workspace_acl"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name="fk_workspace_acl_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_workspace_acl_user_id_users", ondelete="CASCADE"
        ),
        sa.CheckConstraint("role IN ('viewer', 'editor', 'owner')", name="ck_workspace_acl_role"),
        **_MYSQL_TABLE,
    )
    op.create_index(
        "ix_workspace_acl_members", "workspace_acl", ["workspace_id", "granted_at", "user_id"]
    )
    op.create_index(
        "ix_workspace_acl_user", "workspace_acl", ["user_id", "granted_at", "workspace_id"]
    )

    op.create_table(
        "documents",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("workspace_id", _uuid(), nullable=True),
        sa.Column("title", _text(), nullable=False),
        sa.Column("content", _text(), nullable=False),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name="fk_documents_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        **_MYSQL_TABLE,
    )
    op.create_index("ix_documents_created", "documents", ["created_at", "id"])
    op.create_index("ix_documents_workspace", "documents", ["workspace_id", "created_at", "id"])

    op.create_table(
        "chunks",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("document_id", _uuid(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("content", _text(), nullable=False),
        sa.Column("embedding", _vector(dim), nullable=False),
        sa.Column("metadata", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chunks"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_chunks_document_id_documents",
            ondelete="CASCADE",
        ),
        **_MYSQL_TABLE,
    )
    op.create_index("uq_chunks_document_ordinal", "chunks", ["document_id", "ordinal"], unique=True)

    op.create_table(
        "audit_events",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("occurred_at", _timestamp(), nullable=False),
        sa.Column("actor_id", _uuid(), nullable=True),
        sa.Column("action", _text(), nullable=False),
        sa.Column("entity_type", _text(), nullable=False),
        sa.Column("entity_id", _text(), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        **_MYSQL_TABLE,
    )
    op.create_index("ix_audit_events_occurred", "audit_events", ["occurred_at", "id"])
    op.create_index(
        "ix_audit_events_entity",
        "audit_events",
        ["entity_type", "entity_id", "occurred_at", "id"],
        mysql_length={"entity_type": 255, "entity_id": 255},
    )
    op.create_index("ix_audit_events_actor", "audit_events", ["actor_id", "occurred_at", "id"])

    op.create_table(
        "chat_messages",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("session_id", _uuid(), nullable=False),
        sa.Column("role", _text(), nullable=False),
        sa.Column("content", _text(), nullable=False),
        sa.Column("tokens_used", sa.BigInteger(), nullable=False),
        sa.Column("model", _text(), nullable=False),
        sa.Column("cost_usd", _decimal(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_messages"),
        sa.CheckConstraint(
            "role IN ('user', 'assistant', 'system', 'tool')", name="ck_chat_messages_role"
        ),
        **_MYSQL_TABLE,
    )
    op.create_index("ix_chat_messages_session", "chat_messages", ["session_id", "created_at", "id"])

    settings = op.create_table(
        "schema_settings",
        sa.Column("name", sa.Text().with_variant(mysql.VARCHAR(255), _MYSQL), nullable=False),
        sa.Column("value", _text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_schema_settings"),
        **_MYSQL_TABLE,
    )
    # Recorded so that a later run with another dimension is refused (env.py checks).
    op.bulk_insert(settings, [{"name": "embedding_dim", "value": str(dim)}])


def downgrade() -> None:
    """Drop every table (children first); their indexes go with them."""
    for table in (
        "schema_settings",
        "chat_messages",
        "audit_events",
        "chunks",
        "documents",
        "workspace_acl",
        "workspaces",
        "users",
    ):
        op.drop_table(table)
