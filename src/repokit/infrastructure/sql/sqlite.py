"""Opening a SQLite store from a ``sqlite:///`` URL."""

from __future__ import annotations

from repokit.domain.capabilities import Capabilities
from repokit.infrastructure.config import Settings, redact_url
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.database import SqlDatabase
from repokit.infrastructure.sql.engine import create_sqlite_engine, parse_sqlite_url
from repokit.infrastructure.sql.pool import ConnectionPool
from repokit.infrastructure.sql.store import SqlStore


async def open_sqlite_store(url: str, settings: Settings) -> SqlStore:
    """Open the SQLite database at ``url`` (``sqlite:///path/file.db`` or ``sqlite:///:memory:``).

    The parent folder of a database file is created when missing. One connection
    is opened at once, so a path that cannot be opened fails here with
    ``BackendUnavailableError``. Run ``await store.migrate()`` to create the schema.

    Raises:
        ConfigurationError: the URL is not a SQLite URL.
        BackendUnavailableError: the database cannot be opened.
    """
    target = parse_sqlite_url(url)
    engine = create_sqlite_engine(target, settings)
    in_memory = target.in_memory
    # An in-memory database exists on one connection only: a pool of one serialises it.
    pool = ConnectionPool(
        engine, 1 if in_memory else settings.pool_max_size, settings.pool_timeout_s
    )
    database = SqlDatabase(
        engine=engine,
        pool=pool,
        catalog=Catalog(engine.dialect),
        capabilities=Capabilities(
            backend="sqlite",
            transactions=True,
            vector_index=False,
            vector_search="exact",
            concurrent_units=not in_memory,
            entities=True,
        ),
        embedding_dim=settings.embedding_dim,
        single_connection=in_memory,
        description=redact_url(url),
        slow_query_s=settings.slow_query_s,
    )
    try:
        connection = await pool.acquire()
        await pool.release(connection)
    except BaseException:
        await pool.close()
        await engine.dispose()
        raise
    return SqlStore(database)


__all__ = ["open_sqlite_store"]
