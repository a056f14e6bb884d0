"""Single flight for threads: the hand-written twin of :mod:`repokit.infrastructure.cache.flight`.

The first thread to ask for a key runs the load; threads that ask while it runs
wait for its result (or its error).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class SingleFlight:
    """One in-flight load per key; everyone asking meanwhile shares its outcome."""

    def __init__(self) -> None:
        self._flights: dict[str, Future[Any]] = {}
        self._lock = threading.Lock()

    def run(self, key: str, load: Callable[[], T]) -> T:
        """``load()`` once for all concurrent callers with this ``key``."""
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = Future()
        if not leader:
            result: T = flight.result()
            return result
        try:
            value = load()
        except BaseException as exc:
            flight.set_exception(exc)
            raise
        finally:
            with self._lock:
                del self._flights[key]
        flight.set_result(value)
        return value


__all__ = ["SingleFlight"]
