"""search indexes: GIN on document metadata, HNSW on chunk embeddings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

PostgreSQL only (SQLite filters with json1 and scans vectors exactly). The
HNSW build parameters are the ones ``tables.HNSW_OPTIONS`` declares, read from
there so they are written once; changing them after a release needs a new
revision that rebuilds the index.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from repokit.infrastructure.sql.tables import HNSW_OPTIONS

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade() -> None:
    """Create the GIN (``jsonb_path_ops``) and HNSW (cosine) indexes."""
    if not _on_postgresql():
        return
    op.create_index(
        "ix_documents_metadata_gin",
        "documents",
        ["metadata"],
        postgresql_using="gin",
        postgresql_ops={"metadata": "jsonb_path_ops"},
    )
    op.create_index(
        "ix_chunks_embedding_hnsw",
        "chunks",
        ["embedding"],
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
        postgresql_with=dict(HNSW_OPTIONS),
    )


def downgrade() -> None:
    """Drop both indexes."""
    if not _on_postgresql():
        return
    op.drop_index("ix_chunks_embedding_hnsw", table_name="chunks")
    op.drop_index("ix_documents_metadata_gin", table_name="documents")
