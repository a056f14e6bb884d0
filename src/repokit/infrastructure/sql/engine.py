"""The SQLite engine: URL handling and the settings every connection gets.

Every connection, on its ``connect`` event:

* runs in driver-level autocommit, so transactions begin only where the adapter
  says ``BEGIN`` (``sqlite3``'s legacy mode would otherwise open one silently
  before the first write, always as DEFERRED);
* ``foreign_keys = ON`` (SQLite's default is off, per connection), so cascades
  and references hold;
* ``busy_timeout`` = ``pool_timeout_s``: a writer waits that long for the lock
  before the adapter reports ``BackendUnavailableError``;
* for files, ``journal_mode = WAL`` (readers never block the writer nor each
  other, and see only committed data) with ``synchronous = NORMAL``, WAL's usual
  pairing: durable across application crashes, and a power loss can only drop
  the last transactions, never corrupt the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool, StaticPool

from repokit.domain.errors import BackendUnavailableError, ConfigurationError
from repokit.infrastructure.config import Settings, redact_url
from repokit.infrastructure.sql.driver import (
    SQLITE_CONNECT_ARGS,
    SQLITE_DRIVER,
    Engine,
    create_engine,
    event_target,
)

SQLITE_SCHEMES = ("sqlite", "sqlite+aiosqlite", "sqlite+pysqlite")

# Compact JSON, and non-ASCII text kept as UTF-8: SQLite's json1 reads both. One
# encoder, made once (json.dumps with options builds a new one on every call).
json_serializer = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


@dataclass(frozen=True, slots=True)
class SqliteTarget:
    """Where a SQLite URL points."""

    url: URL
    path: Path | None
    """The database file, or None for an in-memory database."""

    @property
    def in_memory(self) -> bool:
        """True for ``sqlite:///:memory:``: one private database on one connection."""
        return self.path is None


def parse_sqlite_url(url: str) -> SqliteTarget:
    """Read a ``sqlite:///...`` URL (any SQLite driver name: the form's own driver is used).

    Raises:
        ConfigurationError: when the URL is not a SQLite URL.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(f"not a SQLite URL: {redact_url(url)!r}") from None
    if parsed.drivername not in SQLITE_SCHEMES:
        raise ConfigurationError(
            f"not a SQLite URL: {redact_url(url)!r}; use sqlite:///path/file.db or sqlite:///:memory:"
        )
    parsed = parsed.set(drivername=SQLITE_DRIVER)
    database = parsed.database or ""
    if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return SqliteTarget(parsed.set(database=":memory:"), None)
    return SqliteTarget(parsed, Path(database).expanduser())


def create_sqlite_engine(target: SqliteTarget, settings: Settings) -> Engine:
    """An engine (aiosqlite here, sqlite3 in the sync twin) with the settings described above."""
    if target.path is not None:
        try:
            target.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackendUnavailableError(
                f"cannot create the folder of the SQLite database {target.path.name!r}: "
                f"{exc.strerror or exc}"
            ) from exc
        # The adapter keeps its own connections (see .pool); the engine only opens them.
        engine = create_engine(
            target.url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            json_serializer=json_serializer,
            connect_args=SQLITE_CONNECT_ARGS,
        )
    else:
        # An in-memory database lives and dies with its one connection.
        engine = create_engine(
            target.url,
            poolclass=StaticPool,
            isolation_level="AUTOCOMMIT",
            json_serializer=json_serializer,
            connect_args=SQLITE_CONNECT_ARGS,
        )
    busy_ms = int(settings.pool_timeout_s * 1000)
    in_memory = target.in_memory

    @event.listens_for(event_target(engine), "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # PRAGMAs take no bound parameters; busy_ms is an int we computed.
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    return engine


__all__ = [
    "SQLITE_SCHEMES",
    "SqliteTarget",
    "create_sqlite_engine",
    "json_serializer",
    "parse_sqlite_url",
]
