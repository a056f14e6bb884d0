"""How a filtered vector search runs on PostgreSQL, chosen per call from its selectivity.

A filter on the parent documents (``where``, ``workspace_id(s)``) can keep a few
chunks or most of them, and the best plan differs:

* **few matching chunks** (at most ``REPOKIT_HNSW_EXACT_MAX_ROWS``, 4,000 by
  default): exact search over them: the documents by the filter, their chunks
  through ``(document_id, ordinal)``, a top-N sort. Recall 1.0, and for few rows
  faster than walking the graph past all the rows the filter drops.
* **many, and a known share of the table** (large enough that the candidates
  below stay within :data:`MAX_CANDIDATES` and :data:`ROWS_PER_CANDIDATE`): the
  ``N`` nearest chunks
  by the HNSW index, with ``hnsw.ef_search`` at least ``N`` and no iterative
  scan, then the filter over those ``N`` only, each by its document's primary
  key. ``N`` is what should let ``CANDIDATES_PASSING * (k + 1)`` chunks pass at
  the filter's share of the table (:meth:`Selectivity.candidates`). One ordinary
  HNSW search and ``N`` key lookups, without the iterative scan's overhead: on
  the clustered benchmark set (20,000 one-chunk documents, a 10% filter) it
  searched at 1.3-1.6x the q/s of the iterative scan below at about its recall
  (``docs/vector-tuning.md``).
  When fewer than ``k`` of the ``N`` pass (a filter whose chunks lie away from
  the query), the search goes on as below.
* **many otherwise**: the HNSW index with pgvector's iterative scan
  (``hnsw.iterative_scan``), each chunk the scan yields checked against the
  filter by its document's primary key (a correlated subquery, so it stays a
  per-row step of the index scan): the scan goes on past ``ef_search`` until
  ``k`` chunks have passed, and stops there. If it gives up first
  (``hnsw.max_scan_tuples``, or the iterative scan turned off), the search is
  exact, and stays exact for that filter for a while.

One statement counts the matching chunks, up to ``exact_max_rows + 1`` or a third
of the table, whichever is more, and at most :data:`COUNT_CAP` (it stops there,
so its cost is bounded), and reads the table's size from PostgreSQL's statistics
(``pg_class.reltuples``, kept by ``ANALYZE``, autovacuum and ``CREATE INDEX``;
before any of them the share is unknown and the iterative scan is used). Counts
are kept per filter (shape and values) for :data:`SELECTIVITY_TTL_S`, so a
repeated filter pays the count once in a while.

No form depends on the planner's estimate of the filter (the exact form has no
index order to use; in the HNSW forms the filter is a subquery per row, whose
values the planner does not look into), so a generic plan that PostgreSQL caches
for a prepared statement after five runs cannot switch a search to the other
plan, as it did before (an exact scan of every matching chunk, chosen for a
filter that keeps half the table).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

EXACT_MAX_ROWS = 4_000
"""Default of ``REPOKIT_HNSW_EXACT_MAX_ROWS``: at most this many matching chunks are
searched exactly (an exact scan of 4,000 x 384 costs about what an HNSW search at
ef_search 250 does here; see docs/vector-tuning.md)."""
MAX_CANDIDATES = 500
"""The most candidates the filter-after-index form takes. They are searched at an
``hnsw.ef_search`` of at least their number, and PostgreSQL prices an HNSW scan
by its ``ef_search``: on 20,000 chunks x 384 it chose a sequential scan and a
sort over the index from ``ef_search`` ~650 on (an exact search, 4-7x slower)."""
ROWS_PER_CANDIDATE = 40
"""...and at most one candidate per this many chunks of the table: a sequential
scan is priced by the table's size, so the smaller the table, the lower the
``ef_search`` at which the planner leaves the index (~30 rows per unit of
``ef_search`` on that table)."""
COUNT_CAP = 100_000
"""The most matching chunks one count reads."""
SELECTIVITY_TTL_S = 30.0
"""How long a filter's measured match count is reused."""
CACHE_SIZE = 1_024


@dataclass(frozen=True, slots=True)
class Selectivity:
    """What is known of a filter: its matching chunks, counted up to a cap, and whether
    an index scan for it gave up before ``k`` chunks passed."""

    matches: int
    total: int = 0
    """The table's estimated chunk count; 0 when unknown."""
    index_gave_up: bool = False

    def exact(self, exact_max_rows: int) -> bool:
        """True when this filter is searched exactly (see the module docs)."""
        return self.index_gave_up or self.matches <= exact_max_rows

    def candidates(self, wanted: int) -> int | None:
        """How many of the index's nearest chunks to filter so that about ``wanted`` of
        them pass (``wanted`` over the filter's share of the table); None when the
        share is unknown, or so small that more candidates would be needed than
        :data:`MAX_CANDIDATES` or :data:`ROWS_PER_CANDIDATE` allow.

        A count that stopped at its cap gives a share no larger than the real one,
        so the candidates are then more than needed, never fewer.
        """
        if self.total <= 0 or self.matches <= 0:
            return None
        share = min(1.0, self.matches / self.total)
        candidates = math.ceil(wanted / share)
        most = min(MAX_CANDIDATES, self.total // ROWS_PER_CANDIDATE)
        return candidates if candidates <= most else None

    def gave_up(self) -> Selectivity:
        """The same, after an index scan returned fewer than ``k`` chunks."""
        return Selectivity(self.matches, self.total, index_gave_up=True)


class SelectivityCache:
    """:class:`Selectivity` per filter (its shape and values), kept :data:`SELECTIVITY_TTL_S`."""

    __slots__ = ("_entries", "ttl_s")

    def __init__(self, ttl_s: float = SELECTIVITY_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._entries: OrderedDict[Any, tuple[Selectivity, float]] = OrderedDict()

    def get(self, key: Any) -> Selectivity | None:
        """What was learnt less than ``ttl_s`` ago, else None."""
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[1] > self.ttl_s:
            return None
        return entry[0]

    def put(self, key: Any, selectivity: Selectivity, *, refresh: bool = True) -> None:
        """Remember ``selectivity``; ``refresh=False`` keeps the entry's age (a correction
        by a scan must not postpone the next count)."""
        entry = self._entries.get(key)
        at = time.monotonic() if refresh or entry is None else entry[1]
        self._entries[key] = (selectivity, at)
        self._entries.move_to_end(key)
        if len(self._entries) > CACHE_SIZE:
            self._entries.popitem(last=False)


__all__ = [
    "COUNT_CAP",
    "EXACT_MAX_ROWS",
    "MAX_CANDIDATES",
    "ROWS_PER_CANDIDATE",
    "Selectivity",
    "SelectivityCache",
]
