"""The concurrency primitives of the sync adapter: threads instead of tasks.

The hand-written twin of :mod:`repokit.infrastructure.sql.concurrency`, with
the same names: the caller is the current thread, the lock a thread lock, and
a slot a bounded semaphore with a timeout.
"""

from __future__ import annotations

import threading

Owner = object
"""Identifies the caller: the current thread."""

CallLock = threading.Lock
"""Serialises the calls made through one unit of work."""

Slots = threading.BoundedSemaphore
"""Counts free connections."""


def current_owner() -> Owner | None:
    """The thread running now."""
    return threading.current_thread()


def acquire_slot(slots: Slots, wait_s: float) -> bool:
    """Take a slot, waiting at most ``wait_s`` seconds; False when none came free."""
    return slots.acquire(timeout=wait_s)


__all__ = ["CallLock", "Owner", "Slots", "acquire_slot", "current_owner"]
