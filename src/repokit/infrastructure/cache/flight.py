"""Single flight: concurrent misses on one key in this process make one backend read.

The first caller of :meth:`SingleFlight.run` for a key runs the load; callers
that arrive while it runs wait for its result (or its error) instead of
loading too. Across processes there is no coordination: each process makes at
most one read per key at a time (see ``docs/cache.md``).

The hand-written twin for threads is :mod:`repokit.infrastructure.cache.sync.flight`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


def _retrieve(future: asyncio.Future[Any]) -> None:
    # Nobody may be waiting: mark the error as seen so asyncio does not log it.
    if not future.cancelled():
        future.exception()


class SingleFlight:
    """One in-flight load per key; everyone asking meanwhile shares its outcome."""

    def __init__(self) -> None:
        self._flights: dict[str, asyncio.Future[Any]] = {}

    async def run(self, key: str, load: Callable[[], Awaitable[T]]) -> T:
        """``await load()`` once for all concurrent callers with this ``key``."""
        flight = self._flights.get(key)
        if flight is not None:
            # Shielded: a waiter that is cancelled must not cancel the load for the rest.
            result: T = await asyncio.shield(flight)
            return result
        flight = asyncio.get_running_loop().create_future()
        flight.add_done_callback(_retrieve)
        self._flights[key] = flight
        try:
            value = await load()
        except BaseException as exc:
            flight.set_exception(exc)
            raise
        finally:
            del self._flights[key]
        flight.set_result(value)
        return value


__all__ = ["SingleFlight"]
