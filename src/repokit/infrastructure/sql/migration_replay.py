"""Upgrading an empty SQLite database by replaying the statements of an earlier upgrade.

Every ``sqlite:///:memory:`` store starts with an empty database, and a test
suite opens hundreds of them: running the revisions through Alembic costs about
35 ms each time (building its operations and their ``Table`` objects), while the
statements it sends are the same every time. From an empty database, the same
repokit version and the same embedding size, an upgrade to head can only send
the same statements, so the first such upgrade in a process is recorded (every
statement with its parameters, as the driver received it) and later ones replay
the record on their own connection, in the caller's transaction, as Alembic
would have. Anything else (a database holding any table, an index, a view, or a
revision other than head as the target) goes through Alembic as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Connection

T = TypeVar("T")

Statement = tuple[str, Any]
"""A statement as the driver got it, and its parameters."""


@dataclass(frozen=True, slots=True)
class RecordedUpgrade:
    """The statements of one upgrade of an empty database, and what it reported."""

    statements: tuple[Statement, ...]
    applied: tuple[Any, ...]


_RECORDED: dict[tuple[str, int, str], RecordedUpgrade] = {}
"""By (dialect, embedding size, head revision)."""


def is_empty_sqlite(connection: Connection) -> bool:
    """Whether ``connection`` is on a SQLite database without any schema object."""
    if connection.dialect.name != "sqlite":
        return False
    found = connection.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
    return int(found) == 0


def upgrade_empty(
    connection: Connection,
    *,
    embedding_dim: int,
    head: str,
    upgrade: Callable[[], list[T]],
    progress: Callable[[T], None] | None,
) -> list[T]:
    """Upgrade the empty database of ``connection`` to ``head``: ``upgrade()`` the first
    time (recorded), a replay of that record after it.

    ``progress`` hears of each revision of a replay, as Alembic's run would call it;
    ``upgrade`` reports to it itself.
    """
    key = (connection.dialect.name, embedding_dim, head)
    recorded = _RECORDED.get(key)
    if recorded is None:
        with _recording(connection) as statements:
            applied = upgrade()
        _RECORDED[key] = RecordedUpgrade(tuple(statements), tuple(applied))
        return applied
    for statement, parameters in recorded.statements:
        connection.exec_driver_sql(statement, parameters)
    if progress is not None:
        for step in recorded.applied:
            progress(step)
    return list(recorded.applied)


@contextmanager
def _recording(connection: Connection) -> Iterator[list[Statement]]:
    statements: list[Statement] = []

    def record(
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)


__all__ = ["RecordedUpgrade", "is_empty_sqlite", "upgrade_empty"]
