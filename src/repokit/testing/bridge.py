"""What the contract tests need from the concurrency model: asyncio here.

The contract modules are written once, in async form, and their sync twin is
generated (``scripts/generate_sync.py``). The little they do beyond awaiting
store calls (run two callers at once, signal between them, run a synchronous
hypothesis test that calls the store) goes through this module, whose sync
twin, :mod:`repokit.testing.sync.bridge`, does the same with threads.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

Event = asyncio.Event
"""A flag one caller sets and another waits for."""


class StoreCaller:
    """Runs store calls on the test's event loop from hypothesis's worker thread.

    The store, its connections and its loop stay exactly those of every other
    contract test; the synchronous hypothesis test hands each call over.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def __call__(self, call: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(_awaited(call), self._loop).result(timeout=120)


async def _awaited(call: Awaitable[T]) -> T:
    return await call


async def store_caller() -> StoreCaller:
    """A :class:`StoreCaller` for the running loop."""
    return StoreCaller(asyncio.get_running_loop())


_CHECKS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="repokit-hypothesis")
"""The one thread every hypothesis test of the process runs on.

Not the loop's default executor (``asyncio.to_thread``): each test has a new loop,
so each would start a new thread, and hypothesis sets up its random state once per
thread with a full ``gc.collect()``, which costs more the longer a test run has
gone on."""


async def run_check(check: Callable[[], None]) -> None:
    """Run a synchronous hypothesis test in a worker thread, so the loop stays free."""
    # The context goes along (as with asyncio.to_thread): the plugin's marks live there.
    context = contextvars.copy_context()
    await asyncio.get_running_loop().run_in_executor(_CHECKS, context.run, check)


async def pause(seconds: float) -> None:
    """Let ``seconds`` pass."""
    await asyncio.sleep(seconds)


async def run_together(*calls: Callable[[], Awaitable[Any]], within_s: float) -> list[Any]:
    """Run ``calls`` concurrently (one task each); their results in order."""
    return list(await asyncio.wait_for(asyncio.gather(*(call() for call in calls)), within_s))


__all__ = ["Event", "StoreCaller", "pause", "run_check", "run_together", "store_caller"]
