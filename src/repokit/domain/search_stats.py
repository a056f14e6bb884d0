"""What ``store.search_stats()`` reports: live search traffic and its estimated recall."""

from __future__ import annotations

from dataclasses import dataclass

from repokit.domain.search_tuning import DEFAULT_TARGET_RECALL


@dataclass(frozen=True, slots=True)
class SearchStats:
    """Searches counted on a store since it opened, and recall estimated from a sample.

    A sample of the approximate ``documents.search_similar`` calls is re-run with
    ``exact=True`` off the hot path; the estimate is the share of the exact top
    ``k`` the live searches returned, over the most recent samples.

    Attributes:
        searches: ``documents.search_similar`` calls on the store (not in units of work).
        queries_per_s: searches per second since the first one (0.0 before two).
        recall: estimated recall@k; 1.0 where every search is exact; None while an
            approximate backend has no sample yet.
        sampled: searches re-run exactly and compared (in the estimate's window).
        pending: sampled searches whose exact re-run has not finished yet.
        exact: every search of this backend is exact, so nothing is sampled.
        target_recall: ``REPOKIT_TARGET_RECALL``; a warning is logged below it.
        sample_rate: ``REPOKIT_RECALL_SAMPLE_RATE``, the share of searches re-run.
    """

    searches: int = 0
    queries_per_s: float = 0.0
    recall: float | None = None
    sampled: int = 0
    pending: int = 0
    exact: bool = False
    target_recall: float = DEFAULT_TARGET_RECALL
    sample_rate: float = 0.0

    @property
    def below_target(self) -> bool:
        """True when the estimate exists and is under ``target_recall``."""
        return self.recall is not None and self.recall < self.target_recall


__all__ = ["SearchStats"]
