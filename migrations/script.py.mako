"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

Hand-written DDL: spell out the types per dialect (see 0002), guard
PostgreSQL-only statements with ``op.get_context().dialect.name``, use
``op.batch_alter_table`` for ALTERs that SQLite must do by rebuilding the
table, and keep ``tables.py`` in step (tests/integration/test_migrations.py
compares the two).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    """What this revision adds."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Undo ``upgrade()`` exactly."""
    ${downgrades if downgrades else "pass"}
