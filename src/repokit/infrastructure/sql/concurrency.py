"""The concurrency primitives of the adapter, in one place.

The async adapter runs in tasks; its sync twin (generated with ``unasync``) runs
in threads. Everything that differs between the two, beyond ``async``/``await``,
is here: who is "the current caller", a lock, and a bounded wait for a slot.
"""

from __future__ import annotations

import asyncio

Owner = object
"""Identifies the caller: the current task here, the current thread in the sync twin."""

CallLock = asyncio.Lock
"""Serialises the calls made through one unit of work."""

Slots = asyncio.Semaphore
"""Counts free connections."""


def current_owner() -> Owner | None:
    """The task running now (None outside a task)."""
    return asyncio.current_task()


async def acquire_slot(slots: Slots, wait_s: float) -> bool:
    """Take a slot, waiting at most ``wait_s`` seconds; False when none came free."""
    if not slots.locked():
        await slots.acquire()  # free now: no timer, no suspension
        return True
    try:
        await asyncio.wait_for(slots.acquire(), wait_s)
    except TimeoutError:
        return False
    return True


__all__ = ["CallLock", "Owner", "Slots", "acquire_slot", "current_owner"]
