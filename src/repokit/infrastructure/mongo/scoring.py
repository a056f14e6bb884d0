"""Exact similarity scores with numpy, and a running top-k that never holds more than a batch.

Embeddings are float32; scores are computed in float64 with the reference
formulas of :mod:`repokit.domain.vectors` (cosine similarity, minus the
Euclidean distance, the dot product), so they agree with every other backend
to ~1e-15 and near-ties rank alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from repokit.domain.vectors import Metric

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def scores(metric: Metric, query: FloatArray, candidates: FloatArray) -> FloatArray:
    """The score of each row of ``candidates`` (float64) for ``query``."""
    if metric == "l2":
        distances: FloatArray = np.sqrt(np.sum((candidates - query) ** 2, axis=1))
        return -distances
    dots: FloatArray = candidates @ query
    if metric == "inner_product":
        return dots
    norms = np.linalg.norm(candidates, axis=1) * float(np.linalg.norm(query))
    with np.errstate(divide="ignore", invalid="ignore"):
        cosine: FloatArray = np.where(norms > 0, dots / np.where(norms > 0, norms, 1.0), 0.0)
    return cosine


class TopK:
    """The ``k`` best (score, id) pairs seen so far: higher score first, ties by id."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._scores: FloatArray = np.empty(0)
        self._ids: list[str] = []

    def offer(self, batch_scores: FloatArray, ids: Sequence[str]) -> None:
        """Merge a batch, keeping only what can still be among the ``k`` best."""
        merged = np.concatenate([self._scores, batch_scores])
        merged_ids = [*self._ids, *ids]
        if len(merged_ids) > self.k:
            # Everything scoring at least the k-th best score survives (ties go by id later).
            kth = np.partition(merged, len(merged) - self.k)[len(merged) - self.k]
            keep = np.flatnonzero(merged >= kth)
            merged = merged[keep]
            merged_ids = [merged_ids[i] for i in keep.tolist()]
        self._scores, self._ids = merged, merged_ids

    def best(self) -> list[tuple[float, str]]:
        """The winners, best first, ties by id."""
        ranked = sorted(
            zip(self._scores.tolist(), self._ids, strict=True), key=lambda p: (-p[0], p[1])
        )
        return ranked[: self.k]
