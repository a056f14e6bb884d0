"""The concurrency primitives of the sync adapter: threads instead of tasks.

The hand-written twin of :mod:`repokit.infrastructure.sql.concurrency`, with
the same names: the caller is the current thread, the lock a thread lock, and
the free connection slots a queue of tokens taken with a timeout.
"""

from __future__ import annotations

import queue
import threading

Owner = object
"""Identifies the caller: the current thread."""

CallLock = threading.Lock
"""Serialises the calls made through one unit of work."""

class Slots:
    """Counts free connections.

    A ``queue.SimpleQueue`` of tokens rather than a ``threading.Semaphore``: both
    its ``get`` with a timeout and its ``put`` are implemented in C, which keeps
    a point read's pool overhead to a few hundred nanoseconds.
    """

    def __init__(self, size: int) -> None:
        self._free: queue.SimpleQueue[None] = queue.SimpleQueue()
        for _ in range(size):
            self._free.put(None)

    def take(self, wait_s: float) -> bool:
        """Take a slot, waiting at most ``wait_s`` seconds; False when none came free."""
        try:
            self._free.get(timeout=wait_s)
        except queue.Empty:
            return False
        return True

    def release(self) -> None:
        """Give a slot back."""
        self._free.put(None)


def current_owner() -> Owner | None:
    """The thread running now."""
    return threading.current_thread()


def acquire_slot(slots: Slots, wait_s: float) -> bool:
    """Take a slot, waiting at most ``wait_s`` seconds; False when none came free."""
    return slots.take(wait_s)


__all__ = ["CallLock", "Owner", "Slots", "acquire_slot", "current_owner"]
