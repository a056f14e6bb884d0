"""Opening a MySQL or MariaDB store: URL handling, the engine, the pool, the server's facts.

Every connection is opened by SQLAlchemy's dialect for the driver (asyncmy here,
PyMySQL in the sync twin; see :mod:`.driver_mysql`) with the session settings of
:mod:`.mysql_settings`. The engine runs in autocommit: transactions begin only
where the adapter says ``START TRANSACTION``. The adapter's own pool
(:mod:`.pool`) keeps up to ``REPOKIT_POOL_MAX_SIZE`` connections, opens
``REPOKIT_POOL_MIN_SIZE`` at once (so a wrong password or an unreachable server
fails in ``connect()``), waits ``REPOKIT_POOL_TIMEOUT_S`` for a free one, and
recycles connections older than ``REPOKIT_POOL_RECYCLE_S`` or than 80% of the
server's ``wait_timeout``, whichever is shorter: MySQL closes a connection idle
for ``wait_timeout``, and a recycled one is never handed out that old.

The catalog (precompiled statements) is built after the first connection: the
dialect then knows whether the server is MariaDB (which has ``DELETE ...
RETURNING``) or MySQL (which has not).
"""

from __future__ import annotations

import logging
import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from repokit.domain.capabilities import Capabilities
from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.config import Settings, redact_url
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.database import SqlDatabase
from repokit.infrastructure.sql.driver import SqlConnection
from repokit.infrastructure.sql.driver_mysql import (
    MysqlConnection,
    create_mysql_engine,
    driver_url,
)
from repokit.infrastructure.sql.mysql_settings import BACKEND
from repokit.infrastructure.sql.pool import ConnectionPool
from repokit.infrastructure.sql.store import SqlStore

MYSQL_SCHEMES = ("mysql", "mariadb", "mysql+asyncmy", "mysql+pymysql")
RECYCLE_SHARE_OF_WAIT_TIMEOUT = 0.8
"""Connections are recycled at this share of the server's ``wait_timeout`` at most."""

_log = logging.getLogger(__name__)


def parse_mysql_url(url: str) -> URL:
    """``url`` as a SQLAlchemy URL on this form's driver (asyncmy; PyMySQL in the sync twin).

    Raises:
        ConfigurationError: the URL is not a MySQL URL, or names no database.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(f"not a MySQL URL: {redact_url(url)!r}") from None
    if parsed.drivername not in MYSQL_SCHEMES:
        raise ConfigurationError(
            f"not a MySQL URL: {redact_url(url)!r}; use mysql://user:pass@host:3306/db"
        )
    if not parsed.database:
        raise ConfigurationError(
            f"the MySQL URL {redact_url(url)!r} names no database; use mysql://user@host/db"
        )
    return driver_url(parsed)


def native_vector_type(version: str) -> bool:
    """True when the server ``version`` (``SELECT VERSION()``) has a ``VECTOR`` type:
    MariaDB 11.7+ or MySQL 9+. repokit does not use it yet (searches are exact)."""
    match = re.match(r"(\d+)\.(\d+)", version)
    if match is None:
        return False
    release = (int(match[1]), int(match[2]))
    return release >= (11, 7) if "mariadb" in version.lower() else release >= (9, 0)


async def _server_facts(connection: SqlConnection) -> tuple[str, float]:
    """The server's version and ``wait_timeout`` (seconds)."""
    row = await connection.fetch_one("SELECT VERSION(), @@wait_timeout")
    assert row is not None
    return str(row[0]), float(row[1])


async def open_mysql_store(url: str, settings: Settings) -> SqlStore:
    """Open the MySQL or MariaDB database at ``url`` (any scheme of :data:`MYSQL_SCHEMES`).

    Run ``await store.migrate()`` to create the schema.

    Raises:
        ConfigurationError: the URL is not a MySQL URL.
        BackendUnavailableError: the server cannot be reached, or refuses the login.
    """
    engine = create_mysql_engine(parse_mysql_url(url), settings)
    pool = ConnectionPool(
        engine,
        settings.pool_max_size,
        settings.pool_timeout_s,
        opener=MysqlConnection.open,
        backend=BACKEND,
        recycle_s=settings.pool_recycle_s,
    )
    try:
        connection = await pool.acquire()
        try:
            version, wait_timeout_s = await _server_facts(connection)
        finally:
            await pool.release(connection)
        pool.limit_age(wait_timeout_s * RECYCLE_SHARE_OF_WAIT_TIMEOUT)
        await pool.fill(max(1, settings.pool_min_size))
    except BaseException:
        await pool.close()
        await engine.dispose()
        raise
    recycle_s = min(settings.pool_recycle_s, wait_timeout_s * RECYCLE_SHARE_OF_WAIT_TIMEOUT)
    vectors = (
        "has a VECTOR type, unused: searches are exact (numpy)"
        if native_vector_type(version)
        else "has no VECTOR type: searches are exact (numpy)"
    )
    if native_vector_type(version):
        _log.info("%s %s has a VECTOR type; repokit searches exactly (numpy)", BACKEND, version)
    server = (
        f"{version}; wait_timeout {wait_timeout_s:g} s, so connections are recycled after "
        f"{recycle_s:g} s; {vectors}"
    )
    database = SqlDatabase(
        engine=engine,
        pool=pool,
        catalog=Catalog(engine.dialect),
        capabilities=Capabilities(
            backend="mysql",
            transactions=True,
            vector_index=False,
            vector_search="exact",
            concurrent_units=True,
            entities=True,
        ),
        embedding_dim=settings.embedding_dim,
        single_connection=False,
        description=redact_url(url),
        single_writer=False,
        slow_query_s=settings.slow_query_s,
        server=server,
    )
    return SqlStore(database)


__all__ = ["MYSQL_SCHEMES", "native_vector_type", "open_mysql_store", "parse_mysql_url"]
