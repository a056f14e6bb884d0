"""What ``documents.tune_search`` reports: the recall curve and the setting chosen."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from repokit.domain.errors import InvalidQueryError

DEFAULT_TARGET_RECALL = 0.95
"""recall@10 the search settings aim at (``REPOKIT_TARGET_RECALL``)."""


@dataclass(frozen=True, slots=True)
class TuningPoint:
    """One measured setting: its recall@10 against exact search, and its speed."""

    ef_search: int
    recall: float
    queries_per_s: float


@dataclass(frozen=True, slots=True)
class SearchTuning:
    """The outcome of ``tune_search``.

    Attributes:
        target_recall: the recall@10 aimed at.
        recall: the recall@10 of the setting in force after the call (1.0 for exact search).
        ef_search: the chosen ``hnsw.ef_search`` (None where search is exact).
        met: True when ``recall >= target_recall + margin``.
        margin: what sampled queries must reach beyond the target (they read a little
            high); 0 for the caller's own queries.
        changed: True when the stored setting changed.
        queries: how many queries were measured.
        curve: every setting measured, by ``ef_search``.
    """

    target_recall: float
    recall: float
    ef_search: int | None = None
    met: bool = True
    margin: float = 0.0
    changed: bool = False
    queries: int = 0
    curve: list[TuningPoint] = field(default_factory=list)


def validate_target_recall(value: float) -> float:
    """``value`` if it is a recall in (0, 1], else ``InvalidQueryError``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value <= 1
    ):
        raise InvalidQueryError(f"target_recall must be a number in (0, 1], got {value!r}")
    return float(value)


__all__ = [
    "DEFAULT_TARGET_RECALL",
    "SearchTuning",
    "TuningPoint",
    "validate_target_recall",
]
