"""Where the exact re-runs of sampled searches run: deferred to ``search_stats()``.

The hand-written twin of :mod:`repokit.infrastructure.recall_checks`, with the
same names. The sync store has no loop and starts no thread of its own, so a
sampled search only queues its check; ``search_stats()`` runs the queue in the
caller's thread, off every search's path. The queue keeps the
:data:`MAX_PENDING` most recent samples: a store whose stats are never read
does no extra work and holds a bounded amount of memory.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

MAX_PENDING = 8
"""Most checks kept waiting; older ones are dropped for newer."""


class RecallChecks:
    """Queues each submitted check until :meth:`run_pending`. Safe between threads:
    ``deque.append`` and ``popleft`` are atomic."""

    def __init__(self) -> None:
        self._queue: deque[Callable[[], None]] = deque(maxlen=MAX_PENDING)

    @property
    def pending(self) -> int:
        """Checks queued and not run."""
        return len(self._queue)

    def submit(self, check: Callable[[], None]) -> None:
        """Queue ``check`` (dropping the oldest when the queue is full)."""
        self._queue.append(check)

    def run_pending(self) -> None:
        """Run every queued check, here and now."""
        while True:
            try:
                check = self._queue.popleft()
            except IndexError:
                return
            check()


__all__ = ["MAX_PENDING", "RecallChecks"]
