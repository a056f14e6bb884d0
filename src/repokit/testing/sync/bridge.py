"""What the sync contract tests need from the concurrency model: threads.

The hand-written twin of :mod:`repokit.testing.bridge`, with the same names.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

class Event(threading.Event):
    """A flag one caller sets and another waits for (at most 30 s, so a failure never hangs)."""

    def wait(self, timeout: float | None = 30.0) -> bool:
        return super().wait(timeout)


class StoreCaller:
    """Sync store calls already ran when they reach here: hand back their result."""

    def __call__(self, call: T) -> T:
        return call


def store_caller() -> StoreCaller:
    """A :class:`StoreCaller` (nothing to bridge in sync code)."""
    return StoreCaller()


def run_check(check: Callable[[], None]) -> None:
    """Run a synchronous hypothesis test, here and now."""
    check()


def pause(seconds: float) -> None:
    """Let ``seconds`` pass."""
    time.sleep(seconds)


def run_together(*calls: Callable[[], Any], within_s: float) -> list[Any]:
    """Run ``calls`` concurrently (one thread each); their results in order."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result(timeout=within_s) for future in futures]


__all__ = ["Event", "StoreCaller", "pause", "run_check", "run_together", "store_caller"]
