"""pgvector extension

Revision ID: 0001
Revises:
Create Date: 2026-11-23

PostgreSQL only (a no-op on SQLite): ``CREATE EXTENSION IF NOT EXISTS vector``,
failing with a message that says so when the server has no pgvector or the
user may not create extensions.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from repokit.infrastructure.sql.migration_checks import ensure_vector_extension

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the ``vector`` extension on PostgreSQL."""
    context = op.get_context()
    if context.dialect.name != "postgresql":
        return
    if context.as_sql:
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
        return
    ensure_vector_extension(op.get_bind())


def downgrade() -> None:
    """Leave the extension in place.

    An extension belongs to the whole database, not to repokit's tables: other
    schemas may use ``vector`` too, and dropping it needs the privilege that
    creating it needed. Downgrading to base removes every repokit table, and
    with them every use of the type that repokit made.
    """
