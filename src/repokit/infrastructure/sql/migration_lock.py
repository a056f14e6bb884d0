"""One Alembic run at a time in this process.

Alembic's ``context`` and ``op`` are module-level proxies that each run
installs and removes, so two runs in one process, in two threads or in two
coroutines interleaved by SQLAlchemy's ``run_sync``, would step on each other
(one ends up with the other's configuration, or fails removing it). Every
entry point of :mod:`.migrations` therefore holds this lock while Alembic runs.
Different processes need no such lock: each has its own proxies, and the
databases serialise them (``BEGIN IMMEDIATE``, an advisory lock).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

_lock = threading.Lock()
_POLL_S = 0.01


@contextmanager
def alembic_lock() -> Iterator[None]:
    """Hold the lock in a thread (blocking until it is free)."""
    with _lock:
        yield


@asynccontextmanager
async def async_alembic_lock() -> AsyncIterator[None]:
    """Hold the lock from a coroutine without blocking the event loop.

    It polls rather than waiting in a worker thread: a cancelled waiter then
    leaves nothing behind that would take the lock later and never give it back.
    Migrations are rare and short, so the polling costs nothing that matters.
    """
    # Not an asyncio.Event: the holder may be another thread or another event loop.
    while not _lock.acquire(blocking=False):  # noqa: ASYNC110
        await asyncio.sleep(_POLL_S)
    try:
        yield
    finally:
        _lock.release()


__all__ = ["alembic_lock", "async_alembic_lock"]
