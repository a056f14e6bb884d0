"""Time-ordered identifiers (UUIDv7, RFC 9562).

Python 3.11 has no ``uuid.uuid7``; this is the RFC's layout with a monotonic
counter so ids made within the same millisecond still sort in creation order.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """Return a new UUIDv7: 48-bit Unix milliseconds, 12-bit counter, 62 random bits."""
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms, _counter = now_ms, int.from_bytes(os.urandom(2), "big") & 0x01FF
        else:
            # Same (or an earlier, clock-stepped) millisecond: keep ordering by counting on.
            _counter += 1
            if _counter > 0x0FFF:
                _last_ms, _counter = _last_ms + 1, 0
        ms, counter = _last_ms, _counter
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | rand
    return uuid.UUID(int=value)
