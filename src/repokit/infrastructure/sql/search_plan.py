"""How a filtered vector search runs on PostgreSQL, chosen per call from its selectivity.

A filter on the parent documents (``where``, ``workspace_id(s)``) can keep a few
chunks or most of them, and the best plan differs:

* **few matching chunks** (at most ``REPOKIT_HNSW_EXACT_MAX_ROWS``, 4,000 by
  default): exact search over them: the documents by the filter, their chunks
  through ``(document_id, ordinal)``, a top-N sort. Recall 1.0, and for few rows
  faster than walking the graph past all the rows the filter drops.
* **many**: the HNSW index, over-fetching: the ``fetch`` nearest chunks of the
  whole table (an unfiltered index scan, so the planner cannot trade it for
  another plan; ``hnsw.iterative_scan`` lets it run past ``ef_search``), then
  the filter, then the best ``k``. ``fetch`` is ``OVERFETCH x (k + 1)`` divided
  by the share of chunks the filter is expected to keep, and at least
  ``hnsw.ef_search`` (the scan visits that many candidates anyway). When fewer
  than ``k`` of the fetched rows pass, the share seen is remembered for the
  filter and the scan is repeated, bigger, up to :data:`MAX_FETCH` rows; after
  that the search is exact (see :mod:`.vector_postgres`). If ``k`` rows pass,
  they are the best ``k`` matching rows among the index's nearest ``fetch``:
  recall is the index's own.

One statement counts the matching chunks up to ``exact_max_rows + 1`` (it stops
there, so it costs at most that many index entries) and reads the table's live
row count from the statistics. A capped count says only that the share is at
least ``(exact_max_rows + 1) / rows``; the first guess is then
:data:`INITIAL_SHARE` (or that bound, if higher), corrected by what the scans
see. Counts and shares are kept per filter (shape and values) for
:data:`SELECTIVITY_TTL_S`, so a repeated filter pays the count once in a while.

Neither form depends on the planner's estimate of the filter (the exact form has
no index order to use; the HNSW form scans the index before filtering), so a
generic plan that PostgreSQL caches for a prepared statement after five runs
cannot switch a search to the other plan, as it did before (an exact scan of
every matching chunk, chosen for a filter that keeps half the table).
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
OVERFETCH = 3.0
"""How many times ``k + 1`` matching rows the HNSW scan aims to fetch."""
INITIAL_SHARE = 0.1
"""The share of chunks a filter matching many is first assumed to keep."""
MAX_FETCH = 16_384
"""The most rows one HNSW scan fetches before the filter; beyond, the search is exact."""
SELECTIVITY_TTL_S = 30.0
"""How long a filter's measured match count and share are reused."""
CACHE_SIZE = 1_024


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """The plan of one filtered search.

    Attributes:
        exact: scan the matching chunks exactly.
        fetch: otherwise, how many nearest chunks the HNSW scan fetches before the filter.
    """

    exact: bool
    fetch: int = 0


def choose_plan(
    selectivity: Selectivity, k: int, *, exact_max_rows: int, min_fetch: int
) -> SearchPlan:
    """The plan for a filter of this ``selectivity``, for ``k`` hits."""
    if selectivity.matches <= exact_max_rows:
        return SearchPlan(exact=True)
    return SearchPlan(exact=False, fetch=fetch_for(selectivity.share, k, min_fetch))


def fetch_for(share: float, k: int, min_fetch: int) -> int:
    """Rows an HNSW scan fetches so about ``OVERFETCH x (k + 1)`` pass a filter keeping
    ``share`` of them: a power of two (few compiled statements), at most :data:`MAX_FETCH`."""
    wanted = max(OVERFETCH * (k + 1) / max(share, 1e-9), float(min_fetch), 1.0)
    return min(1 << math.ceil(math.log2(wanted)), MAX_FETCH)


@dataclass(frozen=True, slots=True)
class Selectivity:
    """What is known of a filter: matching chunks (counted up to a cap) and the share of
    the table it keeps (measured, or a guess where the count was capped)."""

    matches: int
    share: float

    @classmethod
    def counted(cls, matches: int, total: float, exact_max_rows: int) -> Selectivity:
        """From a count capped at ``exact_max_rows + 1`` of a table of about ``total`` rows."""
        bound = matches / max(total, float(matches), 1.0)
        if matches <= exact_max_rows:
            return cls(matches, bound)
        return cls(matches, max(bound, INITIAL_SHARE))

    def seen(self, passed: int, fetched: int) -> Selectivity:
        """After a scan of ``fetched`` rows of which only ``passed`` (< k) kept the filter."""
        return Selectivity(self.matches, min(self.share, max(passed, 1) / fetched))


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
    "EXACT_MAX_ROWS",
    "MAX_FETCH",
    "OVERFETCH",
    "SearchPlan",
    "Selectivity",
    "SelectivityCache",
    "choose_plan",
    "fetch_for",
]
