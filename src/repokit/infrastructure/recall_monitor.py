"""The recall monitor behind ``store.search_stats()``: counting, sampling, the estimate.

Driver-free and shared by every backend, async and sync. The store's documents
repository (:mod:`repokit.infrastructure.search_monitor`) tells it of each
search; it answers whether that search is one of the sample, and hears back how
many of the exact top ``k`` the live search had returned once the exact re-run
is done. Only that re-run is the backend's own (``search_similar(exact=True)``).

Sampling is by count, not by chance: the first approximate search and then one
in every ``round(1 / REPOKIT_RECALL_SAMPLE_RATE)``. That keeps the load of the
re-runs exactly proportional to traffic and makes the first search of a store
show up in its stats, which is what a health check or a test looks at first.

The estimate covers the last :data:`WINDOW` samples, so a change of the search
setting (``repokit tune``, a new ``REPOKIT_HNSW_EF_SEARCH``) or of the data shows
within that many samples. A warning is logged on the ``repokit.search`` logger
when the estimate, over at least :data:`MIN_SAMPLES` samples, falls below
``REPOKIT_TARGET_RECALL``; once per fall, not per sample, so a service that
stays below target does not flood its log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from repokit.domain.search_stats import SearchStats

WINDOW = 200
"""Samples the recall estimate covers (the most recent ones)."""
MIN_SAMPLES = 10
"""Samples needed before a low estimate is worth a warning (one miss in 10 hits is 0.9)."""

logger = logging.getLogger("repokit.search")


class RecallMonitor:
    """Counts one store's searches, picks the sample and keeps the recall estimate.

    Safe to share between threads (the sync store is): every update holds a lock,
    which costs well under a microsecond on a search that takes a millisecond.
    """

    def __init__(
        self,
        *,
        sample_rate: float,
        target_recall: float,
        exact: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sample_rate = sample_rate
        self._target = target_recall
        self._exact = exact
        self._period = round(1 / sample_rate) if sample_rate > 0 and not exact else 0
        self._clock = clock
        self._lock = threading.Lock()
        self._searches = 0
        self._approximate = 0
        self._first: float | None = None
        self._last = 0.0
        self._samples: deque[tuple[int, int]] = deque(maxlen=WINDOW)
        self._found = 0
        self._expected = 0
        self._warned = False

    def observe(self, *, exact: bool) -> bool:
        """Count one search; True when it is to be re-run exactly and compared."""
        now = self._clock()
        with self._lock:
            self._searches += 1
            if self._first is None:
                self._first = now
            self._last = now
            if exact or not self._period:
                return False
            self._approximate += 1
            return (self._approximate - 1) % self._period == 0

    def record(self, found: int, expected: int) -> None:
        """One sampled search returned ``found`` of the exact top ``expected``."""
        if expected <= 0:
            return  # nothing stored that matched: no evidence either way
        with self._lock:
            if len(self._samples) == self._samples.maxlen:
                old_found, old_expected = self._samples[0]
                self._found -= old_found
                self._expected -= old_expected
            self._samples.append((found, expected))
            self._found += found
            self._expected += expected
            recall = self._found / self._expected
            low = len(self._samples) >= MIN_SAMPLES and recall < self._target
            warn, self._warned = low and not self._warned, low
            sampled = len(self._samples)
        if warn:
            logger.warning(
                "estimated search recall %.3f is below the target %.3f (%d sampled searches "
                "re-run exactly); raise REPOKIT_HNSW_EF_SEARCH or run `repokit tune`",
                recall,
                self._target,
                sampled,
            )

    def stats(self, *, pending: int = 0) -> SearchStats:
        """The counts and the estimate now; ``pending``: samples still being re-run."""
        with self._lock:
            elapsed = self._last - self._first if self._first is not None else 0.0
            if self._exact:
                recall: float | None = 1.0
            else:
                recall = self._found / self._expected if self._expected else None
            return SearchStats(
                searches=self._searches,
                queries_per_s=(self._searches - 1) / elapsed if elapsed > 0 else 0.0,
                recall=recall,
                sampled=len(self._samples),
                pending=pending,
                exact=self._exact,
                target_recall=self._target,
                sample_rate=self._sample_rate,
            )


__all__ = ["MIN_SAMPLES", "WINDOW", "RecallMonitor", "logger"]
