"""Where the exact re-runs of sampled searches run: background tasks on the loop.

The search that was sampled returns at once; its exact re-run is a task of its
own, so it never adds to that search's latency. At most :data:`MAX_PENDING` run
at a time: an exact re-run scans every candidate chunk, so its cost grows with
the table, and samples that arrive while one runs are dropped rather than
queued. The monitor thus holds at most one connection's worth of scans, however
large the table or busy the store.

The hand-written twin for threads is :mod:`repokit.infrastructure.sync.recall_checks`,
which defers the re-runs to ``search_stats()`` instead.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable

MAX_PENDING = 1
"""Most exact re-runs in flight at once; samples beyond are dropped."""


class RecallChecks:
    """Runs each submitted check as a background task on the running loop."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def pending(self) -> int:
        """Checks submitted and not finished."""
        return len(self._tasks)

    def submit(self, check: Callable[[], Awaitable[None]]) -> None:
        """Start ``check()`` in the background (or drop it when too many run)."""
        if len(self._tasks) >= MAX_PENDING:
            return
        # A fresh context: the task must not inherit the caller's unit of work
        # (tracked in a context variable), or its read would run inside that unit.
        task = asyncio.get_running_loop().create_task(
            _awaited(check()), context=contextvars.Context()
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def run_pending(self) -> None:
        """Nothing to do here: the tasks run by themselves (the sync twin runs its queue)."""


async def _awaited(call: Awaitable[None]) -> None:
    await call


__all__ = ["MAX_PENDING", "RecallChecks"]
