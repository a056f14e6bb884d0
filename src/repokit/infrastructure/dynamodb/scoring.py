"""Exact similarity scoring and a bounded top-k with numpy, for the streamed vector search.

Candidates arrive in batches of packed little-endian float32 embeddings; each
batch is scored in float64 (as the reference scorer in
:mod:`repokit.domain.vectors` sums) and merged into a running top-k, so memory
stays at one batch plus ``k`` candidates. Ties are broken by chunk id.
(The SQL adapter has the same scorer in ``sql/scoring.py``; importing it would
import SQLAlchemy, which a DynamoDB-only install does not have.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

import numpy as np
import numpy.typing as npt

from repokit.domain.errors import ConfigurationError
from repokit.domain.vectors import Metric, validate_query

FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")


def pack_embedding(values: Sequence[float]) -> bytes:
    """An embedding as packed little-endian float32 (its stored form)."""
    return np.asarray(values, dtype="<f4").tobytes()


def unpack_embedding(data: bytes) -> list[float]:
    """The floats of a packed embedding (exactly the stored float32 values)."""
    values: list[float] = np.frombuffer(data, dtype="<f4").tolist()
    return values


class ExactScorer:
    """Scores candidate embeddings against one query; higher is more similar."""

    def __init__(self, metric: Metric, embedding: Sequence[float], dim: int) -> None:
        self.metric = metric
        self.dim = dim
        self.query: FloatArray = np.asarray(validate_query(embedding, dim, metric), np.float64)
        self._query_norm = float(np.linalg.norm(self.query))

    def score(self, blobs: Sequence[bytes]) -> FloatArray:
        """The score of each packed embedding."""
        joined = b"".join(blobs)
        if len(joined) != len(blobs) * self.dim * 4:
            raise ConfigurationError(
                f"stored embeddings do not have {self.dim} dimensions; "
                "EMBEDDING_DIM must match the data in the table"
            )
        matrix = np.frombuffer(joined, dtype="<f4").reshape(len(blobs), self.dim)
        matrix = matrix.astype(np.float64)
        if self.metric == "inner_product":
            return np.asarray(matrix @ self.query, dtype=np.float64)
        if self.metric == "l2":
            diff = matrix - self.query
            return np.asarray(-np.sqrt(np.einsum("ij,ij->i", diff, diff)), dtype=np.float64)
        norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix)) * self._query_norm
        dots = matrix @ self.query
        scores: FloatArray = np.divide(dots, norms, out=np.zeros_like(dots), where=norms != 0.0)
        return scores


class TopK(Generic[T]):
    """The ``k`` best (score, id, payload) seen so far, best first, ties by id."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._best: list[tuple[float, UUID, T]] = []

    def push(self, scores: FloatArray, ids: Sequence[UUID], payloads: Sequence[T]) -> None:
        """Merge a scored batch, keeping only what can still be in the top k."""
        if len(ids) > self.k:
            threshold = -np.partition(-scores, self.k - 1)[self.k - 1]
            keep: Any = np.flatnonzero(scores >= threshold)
        else:
            keep = range(len(ids))
        merged = self._best + [(float(scores[i]), ids[i], payloads[i]) for i in keep]
        merged.sort(key=lambda hit: (-hit[0], hit[1]))
        self._best = merged[: self.k]

    def result(self) -> list[tuple[float, UUID, T]]:
        """The best hits, best first."""
        return list(self._best)
