"""Similarity metrics and embedding validation.

Every metric is reported so that a higher score means more similar:

* ``cosine``: cosine similarity, in [-1, 1];
* ``l2``: the negated Euclidean distance;
* ``inner_product``: the dot product.

Embeddings are stored as float32 on every backend (pgvector's ``vector`` and
the packed binary of SQLite and DynamoDB are float32), so
:func:`validate_embedding` rounds to float32 once, here, and an embedding reads
back equal to what ``save`` returned on every backend.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from typing import Literal, TypeAlias

from repokit.domain.errors import InvalidQueryError

Metric: TypeAlias = Literal["cosine", "l2", "inner_product"]
METRICS: tuple[Metric, ...] = ("cosine", "l2", "inner_product")
MAX_K = 1000
_FLOAT32_MAX = 3.4e38


def validate_metric(metric: str) -> Metric:
    """Return ``metric`` if it is one of :data:`METRICS`."""
    if metric not in METRICS:
        raise InvalidQueryError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
    return metric


def validate_k(k: int) -> int:
    """Return ``k`` if it is a usable number of hits (1..MAX_K)."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InvalidQueryError(f"k must be an integer in 1..{MAX_K}, got {k!r}")
    return k


def validate_embedding(
    embedding: Sequence[float], dim: int, *, what: str = "embedding"
) -> list[float]:
    """Return ``embedding`` as a list of floats if it has ``dim`` finite numbers."""
    if hasattr(embedding, "tolist") and not isinstance(embedding, Sequence):
        embedding = embedding.tolist()  # numpy arrays and the like
    if isinstance(embedding, str | bytes) or not isinstance(embedding, Sequence):
        raise InvalidQueryError(f"{what} must be a sequence of {dim} floats")
    if len(embedding) != dim:
        raise InvalidQueryError(f"{what} has {len(embedding)} dimensions, expected {dim}")
    try:
        values = [float(x) for x in embedding]
    except (TypeError, ValueError):
        raise InvalidQueryError(f"{what} must contain only numbers") from None
    if not all(math.isfinite(x) and abs(x) < _FLOAT32_MAX for x in values):
        raise InvalidQueryError(f"{what} contains NaN, infinity or a value beyond float32")
    return as_float32(values)


def validate_query(embedding: Sequence[float], dim: int, metric: Metric) -> list[float]:
    """A search's query embedding, checked like any embedding and usable under ``metric``.

    A zero vector has no direction, so its cosine similarity is undefined.
    """
    query = validate_embedding(embedding, dim, what="query embedding")
    if metric == "cosine" and not any(query):
        raise InvalidQueryError("a zero query vector has no direction: cosine is undefined")
    return query


def as_float32(values: Sequence[float]) -> list[float]:
    """``values`` rounded to float32, the precision every backend stores."""
    return list(struct.unpack(f"<{len(values)}f", struct.pack(f"<{len(values)}f", *values)))


def similarity(metric: Metric, query: Sequence[float], candidate: Sequence[float]) -> float:
    """The score of ``candidate`` for ``query`` (higher is more similar)."""
    if metric == "inner_product":
        return math.fsum(q * c for q, c in zip(query, candidate, strict=True))
    if metric == "l2":
        return -math.sqrt(math.fsum((q - c) ** 2 for q, c in zip(query, candidate, strict=True)))
    dot = math.fsum(q * c for q, c in zip(query, candidate, strict=True))
    norms = _norm(query) * _norm(candidate)
    return dot / norms if norms else 0.0


def _norm(vector: Sequence[float]) -> float:
    return math.sqrt(math.fsum(x * x for x in vector))
