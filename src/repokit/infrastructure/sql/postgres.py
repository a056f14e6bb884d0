"""Opening a PostgreSQL store: URL handling, the engine and the pool.

Every connection is opened by SQLAlchemy's dialect for the driver (asyncpg
here, psycopg 3 in the sync twin; see :mod:`.driver_postgres`), so Core
statements run on it too, with these server settings, sent in the startup
packet (no extra round trip):

* ``statement_timeout`` = ``REPOKIT_STATEMENT_TIMEOUT_S``: the server cancels a
  statement that runs longer (reported as ``BackendUnavailableError``);
* ``hnsw.ef_search`` = ``REPOKIT_HNSW_EF_SEARCH`` and ``hnsw.iterative_scan`` =
  ``REPOKIT_HNSW_ITERATIVE_SCAN``: pgvector's search settings as session defaults,
  so a search is one statement with no ``SET`` around it;
* ``application_name = repokit``, for ``pg_stat_activity``.

The engine runs in driver autocommit: transactions begin only where the adapter
says ``BEGIN`` (see :mod:`.driver_postgres` for the isolation levels). The
adapter's own pool (:mod:`.pool`) keeps up to ``REPOKIT_POOL_MAX_SIZE``
connections, opens ``REPOKIT_POOL_MIN_SIZE`` at once, waits
``REPOKIT_POOL_TIMEOUT_S`` for a free one (then ``BackendUnavailableError``) and
recycles connections older than ``REPOKIT_POOL_RECYCLE_S``.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from repokit.domain.capabilities import Capabilities
from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.config import Settings, redact_url
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.database import SqlDatabase
from repokit.infrastructure.sql.driver_postgres import (
    BACKEND,
    PostgresConnection,
    create_postgres_engine,
    driver_url,
)
from repokit.infrastructure.sql.pool import ConnectionPool
from repokit.infrastructure.sql.search_tuning import stored_ef_search
from repokit.infrastructure.sql.store import SqlStore

POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg")

def parse_postgres_url(url: str) -> URL:
    """``url`` as a SQLAlchemy URL on this form's driver (asyncpg; psycopg in the sync twin).

    Raises:
        ConfigurationError: the URL is not a PostgreSQL URL.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(f"not a PostgreSQL URL: {redact_url(url)!r}") from None
    if parsed.drivername not in POSTGRES_SCHEMES:
        raise ConfigurationError(
            f"not a PostgreSQL URL: {redact_url(url)!r}; use postgresql://user:pass@host/db"
        )
    return driver_url(parsed)


async def open_postgres_store(url: str, settings: Settings) -> SqlStore:
    """Open the PostgreSQL database at ``url`` (any scheme of :data:`POSTGRES_SCHEMES`).

    ``REPOKIT_POOL_MIN_SIZE`` connections (at least one) are opened at once, so an
    unreachable server or a wrong password fails here. Run ``await store.migrate()``
    to create the schema (it needs the ``vector`` extension).

    Raises:
        ConfigurationError: the URL is not a PostgreSQL URL.
        BackendUnavailableError: the server cannot be reached.
    """
    engine = create_postgres_engine(parse_postgres_url(url), settings)
    pool = ConnectionPool(
        engine,
        settings.pool_max_size,
        settings.pool_timeout_s,
        opener=partial(
            PostgresConnection.open, statement_timeout_s=settings.statement_timeout_s
        ),
        backend=BACKEND,
        recycle_s=settings.pool_recycle_s,
    )
    catalog = Catalog(engine.dialect)
    catalog.target_recall = settings.target_recall
    if catalog.search_statements is not None:
        catalog.search_statements.exact_max_rows = settings.hnsw_exact_max_rows
        catalog.search_statements.session_ef_search = settings.hnsw_ef_search
        catalog.search_statements.session_iterative_scan = settings.hnsw_iterative_scan
        catalog.search_statements.ef_search = settings.hnsw_ef_search
    database = SqlDatabase(
        engine=engine,
        pool=pool,
        catalog=catalog,
        capabilities=Capabilities(
            backend="postgresql",
            transactions=True,
            vector_index=True,
            vector_search="hnsw",
            concurrent_units=True,
            entities=True,
        ),
        embedding_dim=settings.embedding_dim,
        single_connection=False,
        description=redact_url(url),
        savepoint_every_write=True,
        single_writer=False,
        slow_query_s=settings.slow_query_s,
    )
    try:
        await pool.fill(max(1, settings.pool_min_size))
        statements = catalog.search_statements
        # A REPOKIT_HNSW_EF_SEARCH given explicitly wins over the stored tuning.
        if statements is not None and "hnsw_ef_search" not in settings.model_fields_set:
            connection = await pool.acquire()
            try:
                tuned = await stored_ef_search(connection)
            finally:
                await pool.release(connection)
            if tuned is not None:
                statements.ef_search = tuned
    except BaseException:
        await pool.close()
        await engine.dispose()
        raise
    return SqlStore(database)


__all__ = [
    "POSTGRES_SCHEMES",
    "open_postgres_store",
    "parse_postgres_url",
]
