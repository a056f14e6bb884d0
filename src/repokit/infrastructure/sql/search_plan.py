"""How a filtered vector search runs on PostgreSQL, chosen per call from its selectivity.

A filter on the parent documents (``where``, ``workspace_id(s)``) can keep a few
chunks or most of them, and the best plan differs:

* **few matching chunks** (at most ``REPOKIT_HNSW_EXACT_MAX_ROWS``, 4,000 by
  default): exact search over them: the documents by the filter, their chunks
  through ``(document_id, ordinal)``, a top-N sort. Recall 1.0, and for few rows
  faster than walking the graph past all the rows the filter drops.
* **many**: the HNSW index with pgvector's iterative scan
  (``hnsw.iterative_scan``), each chunk the scan yields checked against the
  filter by its document's primary key (a correlated subquery, so it stays a
  per-row step of the index scan): the scan goes on past ``ef_search`` until
  ``k`` chunks have passed, and stops there. If it gives up first
  (``hnsw.max_scan_tuples``, or the iterative scan turned off), the search is
  exact, and stays exact for that filter for a while.

One statement counts the matching chunks up to ``exact_max_rows + 1`` (it stops
there, so it costs at most that many index entries). Counts are kept per filter
(shape and values) for :data:`SELECTIVITY_TTL_S`, so a repeated filter pays the
count once in a while.

Neither form depends on the planner's estimate of the filter (the exact form has
no index order to use; in the HNSW form the filter is a subquery per row, whose
values the planner does not look into), so a generic plan that PostgreSQL caches
for a prepared statement after five runs cannot switch a search to the other
plan, as it did before (an exact scan of every matching chunk, chosen for a
filter that keeps half the table).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

EXACT_MAX_ROWS = 4_000
"""Default of ``REPOKIT_HNSW_EXACT_MAX_ROWS``: at most this many matching chunks are
searched exactly (an exact scan of 4,000 x 384 costs about what an HNSW search at
ef_search 250 does here; see docs/vector-tuning.md)."""
SELECTIVITY_TTL_S = 30.0
"""How long a filter's measured match count is reused."""
CACHE_SIZE = 1_024


@dataclass(frozen=True, slots=True)
class Selectivity:
    """What is known of a filter: its matching chunks, counted up to a cap, and whether
    an index scan for it gave up before ``k`` chunks passed."""

    matches: int
    index_gave_up: bool = False

    def exact(self, exact_max_rows: int) -> bool:
        """True when this filter is searched exactly (see the module docs)."""
        return self.index_gave_up or self.matches <= exact_max_rows

    def gave_up(self) -> Selectivity:
        """The same, after an index scan returned fewer than ``k`` chunks."""
        return Selectivity(self.matches, index_gave_up=True)


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


__all__ = ["EXACT_MAX_ROWS", "Selectivity", "SelectivityCache"]
