"""What both MySQL drivers (asyncmy, PyMySQL) share: session settings, transactions, JSON.

Every connection gets, in the handshake's init command (no extra round trip):

* ``time_zone = '+00:00'``: ``DATETIME`` columns hold naive UTC (:mod:`.types`) and
  ``NOW()`` agrees with them;
* ``max_statement_time`` (MariaDB, seconds) or ``max_execution_time`` (MySQL,
  milliseconds, ``SELECT`` only) = ``REPOKIT_STATEMENT_TIMEOUT_S``: the server stops
  a statement that runs longer (reported as ``BackendUnavailableError``);
* ``innodb_lock_wait_timeout`` = ``REPOKIT_POOL_TIMEOUT_S`` rounded up: a write waits
  that long for a row lock, then fails with ``1205`` (``ConcurrencyError``);
* ``sql_mode`` adds ``STRICT_ALL_TABLES``: a value too long or out of range fails
  instead of being cut silently, whatever the server's default mode;
* ``sql_notes = 0``: notes (such as "Name 'pk_users' ignored for PRIMARY key",
  which every named primary key draws) are not recorded, so the driver neither
  asks for them with an extra ``SHOW WARNINGS`` nor logs them; warnings still are.

The character set is ``utf8mb4`` (the connection's; the tables' collation is in
:mod:`.mysql_ddl`).
"""

from __future__ import annotations

import json
import math
from typing import Any

from repokit.infrastructure.config import Settings
from repokit.infrastructure.sql.driver import SNAPSHOT, UNIT, WRITE

BACKEND = "MySQL"
"""The database's name in messages (MariaDB included)."""

_BEGIN = {
    WRITE: "START TRANSACTION",
    SNAPSHOT: "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
    UNIT: "START TRANSACTION WITH CONSISTENT SNAPSHOT",
    # SQLite's words, as SqlStore.migrate still says them.
    "IMMEDIATE": "START TRANSACTION",
    "DEFERRED": "START TRANSACTION",
}

# Compact JSON with non-ASCII text kept as UTF-8, as on SQLite.
mysql_json_serializer = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def begin_sql(mode: str) -> str:
    """The statement that begins a transaction of ``mode`` (see :mod:`.driver`'s modes)."""
    return _BEGIN[mode]


def init_command(settings: Settings) -> str:
    """The session settings above as one ``SET`` statement (numbers computed here)."""
    timeout_s = settings.statement_timeout_s
    lock_wait_s = max(1, math.ceil(settings.pool_timeout_s))
    # MariaDB and MySQL name the statement limit differently; setting the other's name
    # fails, so the version comment syntax picks one: /*M! ... */ runs on MariaDB only,
    # /*!80000 ... */ on MySQL 8 only (MariaDB skips it).
    return (
        "SET time_zone = '+00:00', sql_notes = 0, "
        f"innodb_lock_wait_timeout = {lock_wait_s}, "
        "sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')"
        f" /*M!, max_statement_time = {timeout_s:g} */"
        f" /*!80000, max_execution_time = {int(timeout_s * 1000)} */"
    )


def connect_args(settings: Settings) -> dict[str, Any]:
    """The driver's connect arguments (asyncmy and PyMySQL take the same names)."""
    return {
        "charset": "utf8mb4",
        "init_command": init_command(settings),
        "connect_timeout": max(1, math.ceil(settings.pool_timeout_s)),
    }


__all__ = ["BACKEND", "begin_sql", "connect_args", "init_command", "mysql_json_serializer"]
