"""The only asyncio-specific code of the memory adapter.

A sync twin generated with unasync replaces this module by hand with one that
returns the current thread: threads do not inherit context variables, tasks do.
"""

from __future__ import annotations

import asyncio


def current_task() -> object | None:
    """The running asyncio task, which owns the unit of work it opens (None outside one)."""
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None
