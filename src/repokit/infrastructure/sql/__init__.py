"""The SQL adapter (SQLAlchemy Core): SQLite and PostgreSQL share its tables and code.

Entry points: :func:`open_sqlite_store` and
:func:`repokit.infrastructure.sql.postgres.open_postgres_store`; the sync twin
of each is in :mod:`repokit.infrastructure.sql.sync`. See ``docs/backends.md``.
"""

from repokit.infrastructure.sql.sqlite import open_sqlite_store
from repokit.infrastructure.sql.store import SqlStore

__all__ = ["SqlStore", "open_sqlite_store"]
