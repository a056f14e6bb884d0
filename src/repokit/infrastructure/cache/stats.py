"""Cache counters: hits, misses, errors and invalidations.

Read from the store with ``store.cache_stats()``; also published as
OpenTelemetry counters (``repokit.cache.hits``, ...) when ``opentelemetry`` is
installed, with the lookup's kind (``doc``, ``user``, ...) as an attribute.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CacheStats:
    """A snapshot of the cache's counters since the store was opened."""

    hits: int = 0
    misses: int = 0
    errors: int = 0
    invalidations: int = 0

    @property
    def hit_ratio(self) -> float:
        """Hits over lookups (0.0 before the first lookup)."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0


def otel_meter() -> Any | None:
    """OpenTelemetry's meter for the cache, or None when OpenTelemetry is not installed."""
    try:
        metrics = importlib.import_module("opentelemetry.metrics")
    except ImportError:
        return None
    return metrics.get_meter("repokit.cache")


def _meter_counters(meter: Any) -> dict[str, Any]:
    return {
        name: meter.create_counter(f"repokit.cache.{name}", unit="1", description=text)
        for name, text in (
            ("hits", "cached lookups answered by Redis"),
            ("misses", "cached lookups answered by the database"),
            ("errors", "Redis calls that failed (the call itself went on)"),
            ("invalidations", "cache keys invalidated after a write"),
        )
    }


class CacheCounters:
    """Thread-safe counters behind :class:`CacheStats`, mirrored to an OpenTelemetry meter.

    Args:
        meter: where the counters are also published (default: OpenTelemetry's
            meter ``repokit.cache`` when installed; None publishes nowhere else).
    """

    def __init__(self, meter: Any | None = None) -> None:
        self._values = {"hits": 0, "misses": 0, "errors": 0, "invalidations": 0}
        self._lock = threading.Lock()
        meter = meter if meter is not None else otel_meter()
        self._otel = _meter_counters(meter) if meter is not None else None

    def add(self, name: str, kind: str, count: int = 1) -> None:
        """Count ``count`` events ``name`` for lookups of ``kind``."""
        with self._lock:
            self._values[name] += count
        if self._otel is not None:
            self._otel[name].add(count, {"repokit.cache.kind": kind})

    def snapshot(self) -> CacheStats:
        """The counters now."""
        with self._lock:
            return CacheStats(**self._values)


__all__ = ["CacheCounters", "CacheStats", "otel_meter"]
