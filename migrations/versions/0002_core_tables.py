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
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import UserDefinedType

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG = "postgresql"


class _Vector(UserDefinedType[Any]):
    """pgvector's ``vector(n)``, for DDL only (no pgvector Python package needed)."""

    cache_ok = True

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def get_col_spec(self, **_: Any) -> str:
        return f"vector({self.dim})"


def _uuid() -> sa.types.TypeEngine[Any]:
    return sa.LargeBinary(16).with_variant(postgresql.UUID(as_uuid=True), _PG)


def _timestamp() -> sa.types.TypeEngine[Any]:
    # SQLite: integer microseconds since the epoch.
    return sa.BigInteger().with_variant(postgresql.TIMESTAMP(timezone=True), _PG)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), _PG)


def _decimal() -> sa.types.TypeEngine[Any]:
    return sa.Text().with_variant(sa.Numeric(), _PG)


def _vector(dim: int) -> sa.types.TypeEngine[Any]:
    # SQLite: packed float32; the repository checks the length.
    return sa.LargeBinary().with_variant(_Vector(dim), _PG)


def upgrade() -> None:
    """Create the tables, their constraints and the page-query indexes."""
    dim = int(context.config.attributes["embedding_dim"])
    op.create_table(
        "users",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
    op.create_index("ix_users_created", "users", ["created_at", "id"])

    op.create_table(
        "workspaces",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("owner_id", _uuid(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workspaces"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_workspaces_owner_id_users", ondelete="RESTRICT"
        ),
    )
    op.create_index("ix_workspaces_created", "workspaces", ["created_at", "id"])
    op.create_index("ix_workspaces_owner", "workspaces", ["owner_id", "created_at", "id"])

    op.create_table(
        "workspace_acl",
        sa.Column("workspace_id", _uuid(), nullable=False),
        sa.Column("user_id", _uuid(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
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
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
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
    )
    op.create_index("ix_documents_created", "documents", ["created_at", "id"])
    op.create_index("ix_documents_workspace", "documents", ["workspace_id", "created_at", "id"])

    op.create_table(
        "chunks",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("document_id", _uuid(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("embedding", _vector(dim), nullable=False),
        sa.Column("metadata", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chunks"),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name="fk_chunks_document_id_documents",
            ondelete="CASCADE",
        ),
    )
    op.create_index("uq_chunks_document_ordinal", "chunks", ["document_id", "ordinal"], unique=True)

    op.create_table(
        "audit_events",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("occurred_at", _timestamp(), nullable=False),
        sa.Column("actor_id", _uuid(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("entity_type", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_occurred", "audit_events", ["occurred_at", "id"])
    op.create_index(
        "ix_audit_events_entity",
        "audit_events",
        ["entity_type", "entity_id", "occurred_at", "id"],
    )
    op.create_index("ix_audit_events_actor", "audit_events", ["actor_id", "occurred_at", "id"])

    op.create_table(
        "chat_messages",
        sa.Column("id", _uuid(), nullable=False),
        sa.Column("session_id", _uuid(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("tokens_used", sa.BigInteger(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("cost_usd", _decimal(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_messages"),
        sa.CheckConstraint(
            "role IN ('user', 'assistant', 'system', 'tool')", name="ck_chat_messages_role"
        ),
    )
    op.create_index("ix_chat_messages_session", "chat_messages", ["session_id", "created_at", "id"])

    settings = op.create_table(
        "schema_settings",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_schema_settings"),
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
