"""Exact similarity scoring and a bounded top-k with numpy, for every adapter.

Every adapter that scores in Python (SQLite, the re-rank of pgvector's rows,
MongoDB, DynamoDB) uses this one scorer. Stored embeddings are float32; they
are scored in float64 with the formulas of the reference scorer in
:mod:`repokit.domain.vectors` (cosine similarity, minus the Euclidean
distance, the dot product: higher is more similar), so every backend agrees
with it to ~1e-15 and near-ties rank alike. Candidates arrive in batches and
are merged into a running :class:`TopK`, so memory holds one batch plus ``k``
hits; ties are broken by chunk id.

The module needs numpy only: importing it imports no driver. What is an
adapter's own stays in the adapter: how its bytes are laid out (a header to
skip, a byte order, given to :meth:`ExactScorer.matrix`) and how a winner
becomes an entity.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from repokit.domain.errors import ConfigurationError
from repokit.domain.vectors import Metric, validate_query

FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")

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
    """Scores candidate embeddings against one query; higher is more similar.

    The query is validated once, here (``InvalidQueryError`` for a wrong length,
    a non-finite value, or a zero vector under cosine).
    """

    __slots__ = ("_query_norm", "dim", "metric", "query")

    def __init__(self, metric: Metric, embedding: Sequence[float], dim: int) -> None:
        self.metric = metric
        self.dim = dim
        self.query: FloatArray = query_vector(embedding, dim, metric)
        self._query_norm = float(np.linalg.norm(self.query))

    def matrix(self, blobs: Sequence[bytes], *, header: int = 0, order: str = "<") -> FloatArray:
        """The packed float32 ``blobs`` as a float64 matrix, one row each.

        Each blob is ``header`` bytes to skip, then ``dim`` float32 in byte
        ``order`` (``"<"`` little-endian, ``">"`` big-endian). A blob of any
        other length raises ``ConfigurationError``: the data was written with
        another ``EMBEDDING_DIM``.
        """
        width = header + 4 * self.dim
        joined = b"".join(blobs)
        if len(joined) != len(blobs) * width:
            raise _wrong_dimensions(self.dim)
        if not blobs:
            return np.empty((0, self.dim), dtype=np.float64)
        rows = np.ndarray(
            (len(blobs), self.dim),
            dtype=np.dtype(f"{order}f4"),
            buffer=joined,
            offset=header,
            strides=(width, 4),
        )
        return rows.astype(np.float64)

    def score(self, matrix: FloatArray) -> FloatArray:
        """The score of each row of ``matrix`` (float64, ``dim`` columns)."""
        if matrix.ndim != 2 or matrix.shape[1] != self.dim:
            raise _wrong_dimensions(self.dim)
        if self.metric == "inner_product":
            return np.asarray(matrix @ self.query, dtype=np.float64)
        if self.metric == "l2":
            diff = matrix - self.query
            return np.asarray(-np.sqrt(np.einsum("ij,ij->i", diff, diff)), dtype=np.float64)
        norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix)) * self._query_norm
        dots = matrix @ self.query
        # A zero candidate scores 0.0, as in the reference scorer (the query is
        # never zero under cosine: the constructor refused it).
        scores: FloatArray = np.divide(dots, norms, out=np.zeros_like(dots), where=norms != 0.0)
        return scores

    def score_packed(
        self, blobs: Sequence[bytes], *, header: int = 0, order: str = "<"
    ) -> FloatArray:
        """The score of each packed embedding (see :meth:`matrix` for the layout)."""
        return self.score(self.matrix(blobs, header=header, order=order))


class TopK(Generic[T]):
    """The ``k`` best scored items seen so far, best first, ties by id.

    ``tie_key`` gives an item's id, which settles equal scores (UUIDs, their
    16 bytes or their canonical strings all order alike); by default the item
    is its own id. It is called only for the items that can still win.
    """

    __slots__ = ("_best", "_tie_key", "k")

    def __init__(self, k: int, tie_key: Callable[[T], Any] | None = None) -> None:
        self.k = k
        self._tie_key: Callable[[T], Any] = tie_key if tie_key is not None else _itself
        self._best: list[tuple[float, Any, T]] = []

    def push(self, scores: FloatArray, items: Sequence[T]) -> None:
        """Merge a scored batch, keeping only what can still be among the ``k`` best."""
        count = len(items)
        if count == 0:
            return
        # Everything scoring at least the k-th best survives, so ties at the
        # boundary are settled by id below, not by np.partition's whim.
        threshold = -np.inf
        if count > self.k:
            threshold = float(np.partition(scores, count - self.k)[count - self.k])
        if len(self._best) == self.k:
            threshold = max(threshold, self._best[-1][0])
        keep = np.flatnonzero(scores >= threshold).tolist()
        kept_scores = scores[keep].tolist()
        key = self._tie_key
        merged = self._best + [
            (score, key(items[i]), items[i]) for score, i in zip(kept_scores, keep, strict=True)
        ]
        merged.sort(key=_rank)
        self._best = merged[: self.k]

    def result(self) -> list[tuple[float, T]]:
        """The best ``(score, item)`` pairs, best first."""
        return [(score, item) for score, _, item in self._best]


def _wrong_dimensions(dim: int) -> ConfigurationError:
    return ConfigurationError(
        f"stored embeddings do not have {dim} dimensions; EMBEDDING_DIM must match the stored data"
    )


def _itself(item: Any) -> Any:
    return item


def _rank(hit: tuple[float, Any, Any]) -> tuple[float, Any]:
    return (-hit[0], hit[1])


__all__ = ["ExactScorer", "FloatArray", "TopK", "query_vector"]
