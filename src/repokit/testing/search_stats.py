"""Contract: ``store.search_stats()`` — searches counted, a sample re-run exactly.

Every backend counts its ``search_similar`` calls. One with an approximate index
(``capabilities.vector_index``) re-runs the first approximate search, and one in
``round(1 / REPOKIT_RECALL_SAMPLE_RATE)`` after it, with ``exact=True`` off the
hot path and reports the estimated recall; one whose search is exact re-runs
nothing and reports recall 1.0.
"""

from __future__ import annotations

from repokit.domain.ports import StorePort
from repokit.domain.search_stats import SearchStats
from repokit.testing.base import ContractMixin
from repokit.testing.bridge import pause
from repokit.testing.samples import basis
from repokit.testing.search import stored_vectors


async def settled_stats(store: StorePort, within_s: float = 10.0) -> SearchStats:
    """``search_stats()`` once no exact re-run is pending any more (they run in the
    background on the async store, and inside ``search_stats()`` on the sync one)."""
    stats = store.search_stats()
    waited = 0.0
    while stats.pending and waited < within_s:
        await pause(0.02)
        waited += 0.02
        stats = store.search_stats()
    return stats


class SearchStatsContract(ContractMixin):
    """``search_stats()``: counts, q/s and the recall estimate of live searches."""

    async def test_a_new_store_has_counted_nothing(self, store: StorePort) -> None:
        stats = store.search_stats()
        assert (stats.searches, stats.sampled, stats.pending) == (0, 0, 0)
        assert stats.queries_per_s == 0.0
        assert stats.exact is not store.capabilities.vector_index
        assert stats.recall == (None if store.capabilities.vector_index else 1.0)
        assert 0 < stats.target_recall <= 1
        assert 0 <= stats.sample_rate <= 1
        assert stats.below_target is False

    async def test_every_search_is_counted_and_timed(self, store: StorePort) -> None:
        await stored_vectors(store, {"x": {0: 1}, "y": {1: 1}, "z": {2: 1}})
        for axis in range(3):
            await store.documents.search_similar(basis(store.embedding_dim, axis), k=2)
        await store.documents.search_similar(basis(store.embedding_dim, 0), k=2, exact=True)
        stats = await settled_stats(store)
        assert stats.searches == 4
        assert stats.queries_per_s > 0
        assert stats.sampled <= 3  # exact=True calls are never sampled

    async def test_a_sampled_search_is_rerun_exactly(self, store: StorePort) -> None:
        await stored_vectors(store, {"x": {0: 1}, "y": {1: 1}, "z": {2: 1}})
        await store.documents.search_similar(basis(store.embedding_dim, 1), k=2)
        stats = await settled_stats(store)
        assert stats.pending == 0
        if stats.exact or stats.sample_rate == 0:
            assert stats.sampled == 0
            assert stats.recall == (1.0 if stats.exact else None)
            return
        assert stats.sampled == 1  # the first approximate search is always sampled
        assert stats.recall is not None
        assert 0.0 <= stats.recall <= 1.0

    async def test_a_search_of_an_empty_store_gives_no_recall_evidence(
        self, store: StorePort
    ) -> None:
        await store.documents.search_similar(basis(store.embedding_dim, 0), k=3)
        stats = await settled_stats(store)
        assert stats.searches == 1
        assert stats.sampled == 0
        assert stats.recall == (1.0 if stats.exact else None)
