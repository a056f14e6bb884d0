"""users and workspaces as declared entities: code-point text, generated index names

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08

``users`` and ``workspaces`` are now the tables of the declared entities
``User`` and ``Workspace``, generated from their declaration like every
declared entity's (``repokit.infrastructure.sql.entity_tables``). This revision
moves the tables of ``0002`` to that form, keeping every row:

* text columns compare by code point: ``COLLATE "C"`` on PostgreSQL (SQLite's
  ``BINARY`` already does);
* the email rule is the unique index ``uq_users_email`` on ``email`` (emails are
  stored lower-cased by ``users.save``) instead of ``uq_users_email_lower`` on
  ``lower(email)``;
* the listing indexes take the generated names: ``ix_users_created_at``,
  ``ix_workspaces_created_at`` and ``ix_workspaces_owner_id_created_at`` (same
  columns as before).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT_COLUMNS = (("users", "email"), ("users", "display_name"), ("workspaces", "name"))
_RENAMED = (
    ("users", "ix_users_created", "ix_users_created_at", ["created_at", "id"]),
    ("workspaces", "ix_workspaces_created", "ix_workspaces_created_at", ["created_at", "id"]),
    (
        "workspaces",
        "ix_workspaces_owner",
        "ix_workspaces_owner_id_created_at",
        ["owner_id", "created_at", "id"],
    ),
)


def _on_postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def _on_mysql() -> bool:
    return op.get_context().dialect.name == "mysql"


def _rename_index(table: str, old: str, new: str, columns: list[str]) -> None:
    if _on_postgresql():
        op.execute(f"ALTER INDEX {old} RENAME TO {new}")
        return
    if _on_mysql():
        op.execute(f"ALTER TABLE {table} RENAME INDEX {old} TO {new}")
        return
    # SQLite cannot rename an index: build the new one, then drop the old.
    op.create_index(new, table, columns)
    op.drop_index(old, table_name=table)


def upgrade() -> None:
    """Code-point text, the plain email index, the generated index names."""
    if not _on_mysql():  # MySQL's tables are utf8mb4_bin from 0002 on, with no such index
        op.drop_index("uq_users_email_lower", table_name="users")
    if _on_postgresql():
        for table, column in _TEXT_COLUMNS:
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE text COLLATE "C"')
    op.create_index("uq_users_email", "users", ["email"], unique=True)
    for table, old, new, columns in _RENAMED:
        _rename_index(table, old, new, columns)


def downgrade() -> None:
    """Back to the tables of ``0002``."""
    for table, old, new, columns in reversed(_RENAMED):
        _rename_index(table, new, old, columns)
    op.drop_index("uq_users_email", table_name="users")
    if _on_postgresql():
        for table, column in _TEXT_COLUMNS:
            op.execute(
                f'ALTER TABLE {table} ALTER COLUMN {column} TYPE text COLLATE pg_catalog."default"'
            )
    if not _on_mysql():
        op.execute("CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email))")
