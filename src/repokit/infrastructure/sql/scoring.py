"""Exact similarity scoring and top-k selection with numpy.

Candidates arrive in batches of packed float32 rows; each batch is scored in
float64 (the reference scorer in :mod:`repokit.domain.vectors` sums in double
precision too, so rankings agree with it except for ties closer than ~1e-15)
and merged into a running top-k. Ties are broken by chunk id: the id bytes
sort like the UUIDs they encode.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from repokit.domain.errors import ConfigurationError
from repokit.domain.vectors import Metric, validate_query

FloatArray = npt.NDArray[np.float64]


_FLOAT32_MAX = 3.4e38  # the bound of repokit.domain.vectors.validate_embedding


def query_vector(embedding: Sequence[float], dim: int, metric: Metric) -> FloatArray:
    """:func:`~repokit.domain.vectors.validate_query` with numpy, for the search path.

    A list, tuple or array of ``dim`` finite numbers (a non-zero one under cosine) is
    converted and rounded to float32 in a few numpy calls, with the same values
    ``validate_query`` returns; anything else goes through ``validate_query``
    itself, which accepts it the same way or raises its usual error.
    """
    if type(embedding) in (list, tuple) or isinstance(embedding, np.ndarray):
        try:
            values = np.asarray(embedding, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            values = None
        if (
            values is not None
            and values.shape == (dim,)
            and bool((np.abs(values) < _FLOAT32_MAX).all())  # False for NaN too
        ):
            rounded: FloatArray = values.astype(np.float32).astype(np.float64)
            if metric != "cosine" or bool(rounded.any()):
                return rounded
    return np.asarray(validate_query(embedding, dim, metric), dtype=np.float64)


class ExactScorer:
    """Scores candidate embeddings against one query; higher is more similar."""

    def __init__(self, metric: Metric, query: Sequence[float] | FloatArray) -> None:
        self.metric = metric
        self.dim = len(query)
        self.query: FloatArray = np.asarray(query, dtype=np.float64)
        # validate_query has already refused a zero query under cosine.
        self._query_norm = float(np.linalg.norm(self.query))

    def matrix(self, blobs: Sequence[bytes]) -> FloatArray:
        """The packed float32 ``blobs`` as a float64 matrix, one row each."""
        joined = b"".join(blobs)
        if len(joined) != len(blobs) * self.dim * 4:
            raise ConfigurationError(
                f"stored embeddings do not have {self.dim} dimensions; "
                "EMBEDDING_DIM must match the data in the database"
            )
        return np.frombuffer(joined, dtype="<f4").reshape(len(blobs), self.dim).astype(np.float64)

    def score(self, matrix: FloatArray) -> FloatArray:
        """The score of each row of ``matrix``."""
        if self.metric == "inner_product":
            return np.asarray(matrix @ self.query, dtype=np.float64)
        if self.metric == "l2":
            diff = matrix - self.query
            return np.asarray(-np.sqrt(np.einsum("ij,ij->i", diff, diff)), dtype=np.float64)
        norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix)) * self._query_norm
        dots = matrix @ self.query
        # A zero candidate scores 0.0, as in the reference scorer.
        scores: FloatArray = np.divide(dots, norms, out=np.zeros_like(dots), where=norms != 0.0)
        return scores


class TopK:
    """The ``k`` best (score, id) pairs seen so far, best first, ties by id."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._scores: FloatArray = np.empty(0, dtype=np.float64)
        self._ids: list[bytes] = []

    def push(self, ids: Sequence[bytes], scores: FloatArray) -> None:
        """Merge a scored batch."""
        all_scores = np.concatenate((self._scores, scores))
        all_ids = self._ids + list(ids)
        if len(all_ids) > self.k:
            # Everything scoring at least the k-th best survives, so ties at the
            # boundary are settled by id below, not by argpartition's whim.
            threshold = -np.partition(-all_scores, self.k - 1)[self.k - 1]
            keep = np.flatnonzero(all_scores >= threshold)
        else:
            keep = np.arange(len(all_ids))
        ranked = sorted(((float(all_scores[i]), all_ids[i]) for i in keep), key=_rank)[: self.k]
        self._scores = np.fromiter(
            (score for score, _ in ranked), dtype=np.float64, count=len(ranked)
        )
        self._ids = [key for _, key in ranked]

    def result(self) -> list[tuple[bytes, float]]:
        """The best pairs as ``(id, score)``, best first."""
        return [(key, float(score)) for key, score in zip(self._ids, self._scores, strict=True)]


def _rank(item: tuple[float, bytes]) -> tuple[float, bytes]:
    return (-item[0], item[1])


__all__ = ["ExactScorer", "TopK", "query_vector"]
