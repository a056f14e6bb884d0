"""The URL and engine Alembic migrates through, whatever URL the user wrote.

The adapters run on async drivers (asyncpg, aiosqlite, asyncmy), but Alembic's
own engine is synchronous: PostgreSQL URLs are normalised to psycopg
(``postgresql+psycopg://``), SQLite URLs to the standard ``sqlite3`` driver, MySQL
and MariaDB URLs to PyMySQL (``mysql+pymysql://``), and ``embedded`` to the URL of
the embedded server (started when needed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import NullPool

from repokit.domain.errors import BackendUnavailableError, ConfigurationError
from repokit.infrastructure.config import (
    Settings,
    load_settings,
    redact_url,
    resolve_database_url,
    url_scheme,
)

POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg")
SQLITE_SCHEMES = ("sqlite", "sqlite+aiosqlite")
MYSQL_SCHEMES = ("mysql", "mariadb", "mysql+asyncmy", "mysql+pymysql")
EMBEDDED_SCHEME = "embedded"
MIGRATABLE_SCHEMES = (*POSTGRES_SCHEMES, *SQLITE_SCHEMES, *MYSQL_SCHEMES, EMBEDDED_SCHEME)
"""URL schemes that have Alembic revisions (the SQL backends)."""

OFFLINE_POSTGRES_URL = "postgresql+psycopg://"
"""Enough for offline SQL: the dialect matters, no server is contacted."""


def is_migratable(url: str) -> bool:
    """True when ``url`` names a SQL backend, i.e. one with Alembic revisions."""
    return url_scheme(url) in MIGRATABLE_SCHEMES


def migration_url(
    url: str | None = None, settings: Settings | None = None, *, start_embedded: bool = True
) -> str:
    """The synchronous SQLAlchemy URL Alembic uses for ``url``.

    ``url`` None falls back to ``REPOKIT_DATABASE_URL`` / ``DATABASE_URL`` and then
    to repokit's default, as everywhere else. ``start_embedded=False`` (offline
    SQL) maps ``embedded`` to a bare psycopg URL instead of starting the server.

    Raises:
        ConfigurationError: the URL names no SQL backend, or cannot be parsed.
        BackendUnavailableError: the embedded server did not start.
    """
    settings = settings or load_settings()
    resolved = resolve_database_url(url, settings)
    scheme = url_scheme(resolved)
    if scheme == EMBEDDED_SCHEME:
        if not start_embedded:
            return OFFLINE_POSTGRES_URL
        # Imported here: it pulls in pgserver, which only the embedded extra installs.
        from repokit.infrastructure.embedded import embedded_data_path, embedded_postgres_url

        resolved = embedded_postgres_url(embedded_data_path(resolved, settings.data_dir))
        scheme = url_scheme(resolved)
    if scheme in POSTGRES_SCHEMES:
        return _psycopg_options(_with_driver(resolved, "postgresql+psycopg"))
    if scheme in SQLITE_SCHEMES:
        return _with_driver(resolved, "sqlite")
    if scheme in MYSQL_SCHEMES:
        # utf8mb4 as the adapter's connections (the revisions insert text too).
        return _with_query(_with_driver(resolved, "mysql+pymysql"), charset="utf8mb4")
    raise ConfigurationError(
        f"{redact_url(resolved)!r} has no Alembic migrations: they exist for PostgreSQL, "
        "embedded, SQLite and MySQL URLs (other backends set themselves up in store.migrate())"
    )


def _with_driver(url: str, drivername: str) -> str:
    """``url`` with its scheme replaced, the rest kept exactly as written."""
    try:
        make_url(url)
    except ArgumentError:
        raise ConfigurationError(f"cannot parse the database URL {redact_url(url)!r}") from None
    return drivername + url[url.index("://") :]


def _with_query(url: str, **defaults: str) -> str:
    """``url`` with the query options ``defaults`` where it sets none of its own."""
    parsed = make_url(url)
    query = {**defaults, **parsed.query}
    return parsed.set(query=query).render_as_string(hide_password=False)


def _psycopg_options(url: str) -> str:
    """asyncpg's ``ssl=`` spelled as libpq's ``sslmode=`` (the mode names are the same)."""
    parsed = make_url(url)
    ssl = parsed.query.get("ssl")
    if ssl is None:
        return url
    query = {key: value for key, value in parsed.query.items() if key != "ssl"}
    query.setdefault("sslmode", ssl)
    return parsed.set(query=query).render_as_string(hide_password=False)


def create_migration_engine(url: str) -> Engine:
    """A synchronous engine for one migration run (``NullPool``: nothing kept afterwards).

    On SQLite the whole run must be one transaction, which ``sqlite3`` does not
    give by itself (it never begins one before DDL): the driver is put in
    autocommit and every SQLAlchemy "begin" emits ``BEGIN IMMEDIATE``, the
    documented SQLAlchemy recipe. Foreign keys stay off (SQLite's default), as
    SQLite requires while tables are rebuilt: dropping a parent table with them on
    would cascade into its children.
    """
    engine = create_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not engine.url.query.get("mode"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)

        @event.listens_for(engine, "connect")
        def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def connect(engine: Engine, url: str) -> Connection:
    """A connection of ``engine``; a refused or failed connect as ``BackendUnavailableError``.

    Raises:
        BackendUnavailableError: the server is unreachable, or refused the login.
    """
    try:
        return engine.connect()
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()
        # The driver's first line says why (refused, no such database, bad
        # password) and never repeats the password itself.
        raise BackendUnavailableError(
            f"cannot connect to {redact_url(url)} to migrate it: "
            f"{reason[0] if reason else type(exc.orig).__name__}"
        ) from exc


__all__ = [
    "MIGRATABLE_SCHEMES",
    "MYSQL_SCHEMES",
    "connect",
    "create_migration_engine",
    "is_migratable",
    "migration_url",
]
