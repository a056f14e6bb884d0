"""Checks that migrations run against the live database, with the messages users see.

Used by ``migrations/env.py`` and by the revisions themselves. Each one turns
a condition that would otherwise surface as an obscure driver error halfway
through the DDL (no pgvector, no privilege, another embedding length) into one
repokit error that says what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from repokit.domain.errors import BackendUnavailableError, ConfigurationError

EMBEDDING_DIM_SETTING = "embedding_dim"
"""The ``schema_settings`` row that records the vector length the schema was built for."""

# Any fixed 64-bit key: every repokit migration of one database takes this lock.
_MIGRATION_LOCK_KEY = 0x7265706F6B6974  # "repokit"

_MYSQL_LOCK_PREFIX = "repokit_migrate:"
"""MySQL's named locks are server-wide: the database's name follows this prefix."""
MYSQL_LOCK_WAIT_S = 300
"""How long a MySQL migration waits for another one of the same database to finish."""

INSUFFICIENT_PRIVILEGE = "42501"
"""PostgreSQL's SQLSTATE for "permission denied"."""


@contextmanager
def migration_lock(connection: Connection) -> Iterator[None]:
    """Serialise concurrent migrations of one database for the block, which holds the
    migration's whole transaction (``with migration_lock(c), context.begin_transaction()``).

    Without it, two processes starting at once both see an empty version table
    and the slower one fails on ``CREATE TABLE``; with it, the second waits and
    then finds the schema at head. PostgreSQL: a transaction-level advisory lock,
    taken in the transaction Alembic then adopts and released when it ends. MySQL:
    a named lock (``GET_LOCK``, one name per database), released after the block,
    so after the commit: MySQL's DDL commits on its own, but the version table's
    last update is visible to the next migration only once the transaction
    commits (released before it, the next one could apply a revision again).
    SQLite needs none: migrations run in ``BEGIN IMMEDIATE``, which already
    excludes other writers.

    Raises:
        BackendUnavailableError: another migration of this MySQL database held the
            lock for longer than :data:`MYSQL_LOCK_WAIT_S`.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
    if dialect != "mysql":
        yield
        return
    name = {"name": _MYSQL_LOCK_PREFIX}
    got = connection.execute(
        text("SELECT GET_LOCK(CONCAT(:name, DATABASE()), :wait)"),
        {**name, "wait": MYSQL_LOCK_WAIT_S},
    ).scalar()
    if got != 1:
        raise BackendUnavailableError(
            f"another migration of this MySQL database held its lock for {MYSQL_LOCK_WAIT_S}s; "
            "try again when it has finished"
        )
    try:
        yield
    finally:
        connection.execute(text("SELECT RELEASE_LOCK(CONCAT(:name, DATABASE()))"), name)


def ensure_vector_extension(connection: Connection) -> None:
    """Create pgvector's ``vector`` extension, or say clearly why it cannot be.

    Raises:
        BackendUnavailableError: the server has no pgvector installed.
        ConfigurationError: this user may not create the extension.
    """
    installed = connection.execute(
        text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    ).scalar()
    if installed is not None:
        return
    available = connection.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    ).scalar()
    if available is None:
        raise BackendUnavailableError(
            "the pgvector extension is not installed on this server: repokit needs the "
            "'vector' extension (pgvector 0.5 or later) in its PostgreSQL; install it, or "
            "use the embedded server (REPOKIT_DATABASE_URL=embedded), which ships it"
        )
    try:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
    except sa_exc.DBAPIError as exc:
        if sqlstate(exc) == INSUFFICIENT_PRIVILEGE:
            raise ConfigurationError(
                "creating the pgvector extension is not allowed for this database user: it "
                "needs superuser or CREATE privilege on the database; ask an administrator "
                "to run CREATE EXTENSION vector in it once, then migrate again"
            ) from exc
        raise


def check_embedding_dim(connection: Connection, embedding_dim: int) -> None:
    """Refuse to go on when the schema was built for another embedding length.

    Raises:
        ConfigurationError: the recorded dimension differs from ``embedding_dim``.
    """
    if not inspect(connection).has_table("schema_settings"):
        return  # a new database: the first revisions record the dimension
    recorded = connection.execute(
        text("SELECT value FROM schema_settings WHERE name = :name"),
        {"name": EMBEDDING_DIM_SETTING},
    ).scalar()
    if recorded is not None and int(recorded) != embedding_dim:
        raise ConfigurationError(
            f"this database was migrated with EMBEDDING_DIM={recorded} but this run asks for "
            f"{embedding_dim}: set REPOKIT_EMBEDDING_DIM={recorded}, or migrate a new database "
            "(embeddings of another length cannot share its chunks table)"
        )


def check_sqlite_foreign_keys(connection: Connection) -> None:
    """Fail the migration if a rebuilt SQLite table left a dangling reference.

    Migrations run with foreign keys off (see ``migration_url``), so SQLite does
    not check them while tables are rebuilt; this check, inside the same
    transaction, makes a violation roll everything back instead.
    """
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise ConfigurationError(
            f"the migration left rows whose foreign keys point nowhere in {', '.join(tables)}; "
            "nothing was changed"
        )


def sqlstate(exc: sa_exc.DBAPIError) -> str | None:
    """The SQLSTATE of a PostgreSQL driver error, else None."""
    original = exc.orig
    # psycopg and asyncpg call it sqlstate; psycopg2 calls it pgcode.
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return str(code) if code is not None else None


__all__ = [
    "EMBEDDING_DIM_SETTING",
    "INSUFFICIENT_PRIVILEGE",
    "check_embedding_dim",
    "check_sqlite_foreign_keys",
    "ensure_vector_extension",
    "migration_lock",
    "sqlstate",
]
