"""MySQL / MariaDB databases for the test suites: made once, emptied between tests.

Shared by the contract stores (``tests/contract/stores.py``) and the framework
suites (``tests/integrations``); ``tests/`` is on ``sys.path`` through its
``conftest.py``.
"""

from __future__ import annotations

from typing import Any

KEPT_MYSQL_TABLES = ("alembic_version", "schema_settings")
"""What emptying a MySQL database keeps: the migration's own bookkeeping."""

_MYSQL_TABLES = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'
"""


def empty_mysql(connection: Any) -> None:
    """Delete every row of every table of the database of ``connection`` (a PyMySQL
    connection in autocommit mode), except :data:`KEPT_MYSQL_TABLES`.

    The tables are read from the catalog each time, so whatever ``migrate()``
    creates is emptied too. ``DELETE`` with ``FOREIGN_KEY_CHECKS = 0`` on the few
    rows a test leaves costs well under a millisecond a table; ``TRUNCATE``
    recreates each table's file (several milliseconds each) and is refused on a
    table that others reference.
    """
    with connection.cursor() as cursor:
        cursor.execute(_MYSQL_TABLES)
        tables = [name for (name,) in cursor.fetchall() if name not in KEPT_MYSQL_TABLES]
        if not tables:
            return
        cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
        try:
            for table in tables:
                cursor.execute(f"DELETE FROM `{table}`")
        finally:
            cursor.execute("SET FOREIGN_KEY_CHECKS = 1")


def mysql_test_database(server: str, name: str) -> tuple[str, Any]:
    """Create database ``name`` on the MySQL server of URL ``server`` (``utf8mb4_bin``);
    its URL and an autocommit PyMySQL connection to it."""
    import pymysql
    from sqlalchemy.engine import make_url

    url = make_url(server)
    connection = pymysql.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        autocommit=True,
        charset="utf8mb4",
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    connection.select_db(name)
    return url.set(database=name).render_as_string(hide_password=False), connection
