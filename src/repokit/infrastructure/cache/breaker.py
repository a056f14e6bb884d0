"""The circuit breaker that keeps a Redis outage from slowing every call down.

Closed, every call goes to Redis. A failure (timeout, refused connection, any
Redis error) opens it: for ``cool_down_s`` no call tries Redis at all, so the
cache costs nothing while it is gone. Then one call at a time is let through;
the first success closes it again. The outage is logged once when it begins
and once when it ends, never per call.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("repokit.cache")


class CircuitBreaker:
    """Whether to try Redis now; fed with the outcome of each try."""

    def __init__(self, cool_down_s: float) -> None:
        self.cool_down_s = cool_down_s
        self._open_until = 0.0
        self._outage = False
        self._probing = False
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        """True while Redis is considered down."""
        return self._outage

    def allow(self) -> bool:
        """True if this call may try Redis."""
        if not self._outage:
            return True
        with self._lock:
            if self._probing or time.monotonic() < self._open_until:
                return False
            self._probing = True  # one call probes; the others keep skipping Redis
            return True

    def succeeded(self) -> None:
        """A try worked: close the breaker (and say Redis is back, once)."""
        if not self._outage:
            return
        with self._lock:
            if self._outage:
                self._outage = False
                self._probing = False
                log.warning("Redis cache is reachable again; caching resumes")

    def failed(self, error: BaseException) -> None:
        """A try failed: open (or keep open) the breaker for the cool-down."""
        with self._lock:
            self._open_until = time.monotonic() + self.cool_down_s
            self._probing = False
            if self._outage:
                return
            self._outage = True
        # Type only: a Redis error's text may carry the server's address.
        log.warning(
            "Redis cache unavailable (%s); serving from the database, retrying in %.1fs",
            type(error).__name__,
            self.cool_down_s,
        )


__all__ = ["CircuitBreaker"]
