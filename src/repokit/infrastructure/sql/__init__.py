"""The SQL adapter (SQLAlchemy Core): SQLite today, PostgreSQL sharing its tables later.

Entry point: :func:`open_sqlite_store`. See ``docs/backends.md`` ("SQLite").
"""

from repokit.infrastructure.sql.sqlite import open_sqlite_store
from repokit.infrastructure.sql.store import SqlStore

__all__ = ["SqlStore", "open_sqlite_store"]
