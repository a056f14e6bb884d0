"""The only asyncio-specific code of the memory adapter.

Units of work are tracked in a context variable, which asyncio tasks inherit
from the task that created them; the owning task tells a unit of *this* task
apart from one of a parent. The sync twin (generated with unasync) can keep this
module as is: with no running loop it returns None, and threads do not inherit
context variables, so "same context" already means "same thread".
"""

from __future__ import annotations

import asyncio


def current_task() -> object | None:
    """The running asyncio task, or None when no event loop runs (sync code)."""
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None
