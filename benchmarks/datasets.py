"""Seeded synthetic embeddings that are hard enough to tell vector indexes apart.

Many clustered generators give recall 1.0 at any index setting: tight,
well-separated blobs make every approximate search exact, and a benchmark on them
proves nothing. This one is tuned so that raw HNSW at pgvector's defaults (m=16,
ef_construction=64, ef_search=40) reaches recall@10 of about 0.8 against exact
search on 20,000 x 384 (``docs/vector-tuning.md`` has the measurement), which is
what the PostgreSQL benchmark and the default index settings are chosen on.

The model, per vector (then normalised to unit length, as sentence embeddings are):

    x = center[c] + basis[c] @ (scales * z) + noise * e / sqrt(dim)

* ``clusters`` topic centers, drawn around a few shared "super-topics" so that
  neighbouring clusters overlap instead of sitting apart;
* inside a cluster, variation along ``latent_dim`` directions of its own with
  decaying scales (anisotropic, as real embedding clouds are), which sets the
  intrinsic dimension, the main knob of HNSW's difficulty;
* isotropic noise over all dimensions, which blurs the nearest-neighbour gaps.

Chunks come in documents (``chunks_per_document`` consecutive rows share one
parent and one cluster, like the chunks of one text), and queries are fresh draws
from the same mixture, never copies of stored rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

Matrix = np.ndarray[Any, np.dtype[np.float32]]


class GeneratorSpec(Protocol):
    """What every generator's spec says (``benchmarks.topic_mixture`` is the other one)."""

    @property
    def dim(self) -> int: ...
    @property
    def chunks_per_document(self) -> int: ...
    @property
    def seed(self) -> int: ...


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    """The knobs of the generator; the defaults are the tuned, "not trivially easy" set."""

    dim: int = 384
    clusters: int = 32
    super_topics: int = 8
    center_scale: float = 1.0
    """Length of a cluster center's offset from its super-topic (before normalising)."""
    topic_scale: float = 1.0
    """Length of a super-topic center from the origin."""
    latent_dim: int = 320
    """Directions of variation inside one cluster: the intrinsic dimension."""
    spread: float = 1.0
    """Length of the in-cluster variation (its scales sum to ``spread**2`` in variance)."""
    decay: float = 0.15
    """Scale of latent direction ``i`` falls as ``(1 + i) ** -decay`` (anisotropy)."""
    noise: float = 0.5
    """Length of the isotropic noise added over all ``dim`` dimensions."""
    skew: float = 1.5
    """Cluster popularity falls as ``(1 + rank) ** -skew``: a few big topics, a long tail."""
    chunks_per_document: int = 10
    seed: int = 20_241_123


@dataclass(slots=True)
class Dataset:
    """Stored vectors with their parent documents, and held-out queries."""

    spec: DatasetSpec | GeneratorSpec
    vectors: Matrix
    document_of: np.ndarray[Any, np.dtype[np.int64]]
    """Index of the parent document of each vector."""
    queries: Matrix
    tagged_documents: np.ndarray[Any, np.dtype[np.bool_]] = field(
        default_factory=lambda: np.zeros(0, dtype=np.bool_)
    )
    """Documents carrying the ``tag`` the filtered searches select (about 10%)."""

    @property
    def documents(self) -> int:
        return int(self.document_of.max()) + 1 if len(self.document_of) else 0


class _Mixture:
    """The cluster model of a spec: centers and in-cluster bases, fixed by the seed."""

    def __init__(self, spec: DatasetSpec, rng: np.random.Generator) -> None:
        self.spec = spec
        dim = spec.dim
        topics = _random_directions(rng, spec.super_topics, dim) * spec.topic_scale
        parent = rng.integers(0, spec.super_topics, spec.clusters)
        offsets = _random_directions(rng, spec.clusters, dim) * spec.center_scale
        self.centers = (topics[parent] + offsets).astype(np.float32)
        scales = (1.0 + np.arange(spec.latent_dim)) ** -spec.decay
        scales *= spec.spread / np.sqrt(np.sum(scales**2))
        self.scales = scales.astype(np.float32)
        # One orthonormal basis per cluster: its own directions of variation.
        self.bases = np.stack(
            [
                np.linalg.qr(rng.standard_normal((dim, spec.latent_dim)))[0]
                for _ in range(spec.clusters)
            ]
        ).astype(np.float32)
        weights = (1.0 + np.arange(spec.clusters)) ** -spec.skew
        self.weights = weights / weights.sum()

    def draw_clusters(self, count: int, rng: np.random.Generator) -> np.ndarray[Any, Any]:
        return rng.choice(self.spec.clusters, size=count, p=self.weights)

    def sample(self, cluster_of: np.ndarray[Any, Any], rng: np.random.Generator) -> Matrix:
        spec = self.spec
        n = len(cluster_of)
        z = rng.standard_normal((n, spec.latent_dim)).astype(np.float32) * self.scales
        out = self.centers[cluster_of].copy()
        for cluster in np.unique(cluster_of):
            rows = np.nonzero(cluster_of == cluster)[0]
            out[rows] += z[rows] @ self.bases[cluster].T
        out += rng.standard_normal((n, spec.dim)).astype(np.float32) * (
            spec.noise / np.sqrt(spec.dim)
        )
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out


def _random_directions(rng: np.random.Generator, count: int, dim: int) -> Matrix:
    vectors = rng.standard_normal((count, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def make_dataset(
    count: int, queries: int = 200, spec: DatasetSpec | None = None, tag_share: float = 0.1
) -> Dataset:
    """``count`` unit vectors in documents of ``spec.chunks_per_document``, and ``queries``.

    The same arguments always give the same arrays (one seeded generator). About
    ``tag_share`` of the documents, chosen at random (independent of their cluster),
    carry the tag the filtered searches select.
    """
    spec = spec or DatasetSpec()
    rng = np.random.default_rng(spec.seed)
    mixture = _Mixture(spec, rng)
    documents = -(-count // spec.chunks_per_document)
    document_cluster = mixture.draw_clusters(documents, rng)
    document_of = np.arange(count, dtype=np.int64) // spec.chunks_per_document
    vectors = mixture.sample(document_cluster[document_of], rng)
    query_vectors = mixture.sample(mixture.draw_clusters(queries, rng), rng)
    tagged = rng.random(documents) < tag_share
    return Dataset(spec, vectors, document_of, query_vectors, tagged)


def exact_top_k(
    vectors: Matrix, queries: Matrix, k: int, allowed: np.ndarray[Any, Any] | None = None
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Row indexes of the ``k`` most cosine-similar vectors per query (unit vectors).

    ``allowed`` (a boolean mask over the vectors) restricts the candidates, for the
    ground truth of filtered searches.
    """
    candidates = np.arange(len(vectors)) if allowed is None else np.nonzero(allowed)[0]
    pool = vectors[candidates]
    result = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), 256):
        scores = queries[start : start + 256] @ pool.T
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
        result[start : start + 256] = candidates[np.take_along_axis(top, order, axis=1)]
    return result


def recall_at_k(found: list[list[int]], truth: np.ndarray[Any, Any]) -> float:
    """Mean share of the true top-k found, per query."""
    k = truth.shape[1]
    hits = sum(
        len(set(row) & set(expected.tolist())) for row, expected in zip(found, truth, strict=True)
    )
    return hits / (k * len(truth))


def vector_literal(vector: Matrix) -> str:
    """pgvector's text form, ``[x,y,...]``, for COPY in text format and parameters."""
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"
