"""Writes that grow with their input, as statements that each finish well inside the
statement timeout.

PostgreSQL cancels any statement that runs past ``statement_timeout``
(``REPOKIT_STATEMENT_TIMEOUT_S``, 30 s by default). Some writes grow with their
input: 20,000 chunks copied into the live HNSW index take about 50 s on a busy
2-core machine, so as one statement they were cancelled at the defaults. Such
writes run here as several statements (parts) *inside the caller's transaction*,
so they stay all or nothing, and the timeout keeps its meaning: every statement
is still limited, a runaway one is still cancelled.

Parts are sized from throughput: the first from a conservative rate the caller
gives for the kind of write (low where each row is expensive, such as inserts
into the HNSW graph), each next one from the rate the previous part achieved,
each aiming at :data:`PART_SHARE` of the timeout (growing at most
:data:`GROWTH`-fold per part). A part the server still cancels (it slowed down
under it) is undone to a savepoint and retried a quarter as big, at most
:data:`RETRIES` times per write; after that the cancel is raised as before
(``BackendUnavailableError``).

Where the connection has no statement timeout (SQLite), is in no transaction (a
single-statement write the caller chose to run alone), or the write fits in its
first part, it is one statement, exactly as before.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import TypeVar

from repokit.infrastructure.sql.driver import SqlConnection
from repokit.infrastructure.sql.errors import DRIVER_ERRORS, ErrorKind, classify

T = TypeVar("T")

PART_SHARE = 0.2
"""Share of the statement timeout one part aims at: five times the measured duration
fits, so a part survives the machine slowing down under it."""
GROWTH = 4
"""How much bigger than the last one a part may be (the rate of a small part is noisy)."""
SHRINK = 4
"""How much smaller a part the server cancelled is retried."""
RETRIES = 2
"""Cancelled parts retried per write; the next cancel is raised."""

_SAVEPOINT = "repokit_part"


class PartSizer:
    """The size of the next part of a write, from the rate of the parts before it.

    Args:
        limit_s: the statement timeout in seconds (None or 0: no limit, one part).
        first_rows: the first part's size.
    """

    __slots__ = ("limit_s", "size")

    def __init__(self, limit_s: float | None, first_rows: int) -> None:
        self.limit_s = limit_s or None
        self.size = max(1, first_rows)

    def take(self, remaining: int) -> int:
        """How many of the ``remaining`` rows the next part holds."""
        return remaining if self.limit_s is None else min(remaining, self.size)

    def measured(self, rows: int, seconds: float) -> None:
        """A part of ``rows`` took ``seconds``: size the next one from that rate."""
        if self.limit_s is None:
            return
        rate = rows / max(seconds, 1e-4)
        target = int(rate * self.limit_s * PART_SHARE)
        self.size = max(1, min(target, rows * GROWTH))

    def cancelled(self, rows: int) -> None:
        """A part of ``rows`` ran past the timeout: retry it smaller."""
        self.size = max(1, rows // SHRINK)


def first_part_rows(limit_s: float, rows_per_s: float) -> int:
    """The first part's size at the conservative rate ``rows_per_s``."""
    return max(1, int(rows_per_s * limit_s * PART_SHARE))


async def write_in_parts(
    connection: SqlConnection,
    rows: Sequence[T],
    write: Callable[[Sequence[T]], Awaitable[None]],
    *,
    rows_per_s: float,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Run ``write`` over ``rows`` in parts that each finish well inside the timeout.

    ``rows_per_s`` is a conservative rate for this kind of write, which sizes the
    first part. Several parts need the caller's transaction (a write scope); outside
    one the write is a single statement. ``progress`` gets the number of rows
    written after each part.

    Raises:
        DriverFailure: a part failed; the transaction is back where it was before
            that part (PostgreSQL), so the caller can still look up what failed.
    """
    limit = connection.statement_timeout_s
    first = first_part_rows(limit, rows_per_s) if limit else len(rows)
    if len(rows) <= first or not connection.in_transaction:
        await write(rows)
        if progress is not None:
            progress(len(rows))
        return
    sizer = PartSizer(limit, first)
    retries = RETRIES
    done = 0
    while done < len(rows):
        part = rows[done : done + sizer.take(len(rows) - done)]
        began = time.monotonic()
        retry = retries > 0 and len(part) > 1
        if not await run_part(connection, partial(write, part), retry=retry):
            retries -= 1
            sizer.cancelled(len(part))
            continue
        sizer.measured(len(part), time.monotonic() - began)
        done += len(part)
        if progress is not None:
            progress(done)


async def run_part(
    connection: SqlConnection, action: Callable[[], Awaitable[object]], *, retry: bool
) -> bool:
    """Run one part of a long write; False when the server cancelled it and ``retry``
    allows a smaller one (the part is undone then).

    A cancelled statement aborts a PostgreSQL transaction, so there the part runs in
    a savepoint that undoes it; any other failure is raised, the transaction back
    where it was before the part.
    """
    guarded = connection.aborts_on_error
    if guarded:
        await connection.savepoint(_SAVEPOINT)
    try:
        await action()
    except DRIVER_ERRORS as exc:
        if guarded:
            await _undo(connection)
            if retry and classify(exc) is ErrorKind.TIMEOUT:
                return False
        raise
    if guarded:
        await connection.release(_SAVEPOINT)
    return True


async def _undo(connection: SqlConnection) -> None:
    """Back to the part's savepoint; a connection that cannot is left to the scope."""
    try:
        await connection.rollback_to(_SAVEPOINT)
    except DRIVER_ERRORS:
        connection.broken = True


__all__ = ["PART_SHARE", "RETRIES", "PartSizer", "first_part_rows", "run_part", "write_in_parts"]
