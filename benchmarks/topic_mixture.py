"""A second clustered data set, generated differently from :mod:`benchmarks.datasets`.

The defaults of the PostgreSQL adapter (``ef_search`` 250, m 16) were chosen on
the first generator; a setting tuned on one synthetic model may only suit that
model. This one differs in each of its main choices:

=====================  ==============================  ================================
                       ``datasets`` (the first)        here
=====================  ==============================  ================================
membership             one cluster per document        a sparse mix of topics per
                                                       document (Dirichlet, alpha 0.2)
clusters               32 around 8 super-topics,       96 independent topics, sizes
                       power-law sizes (skew 1.5)      from the Dirichlet draws
variation inside       320 directions, slow decay      16 directions per topic, and
                       (high intrinsic dimension)      chunk-to-chunk drift inside a
                                                       document
noise                  0.5, isotropic                  0.35, isotropic
=====================  ==============================  ================================

Per document ``d``: topic weights ``w ~ Dirichlet(alpha)``; its centre
``m_d = sum_t w_t * topic_t``; per chunk ``x = m_d + sum_t w_t * basis_t @ z_t
+ drift * e_d + noise * e / sqrt(dim)``, normalised. ``e_d`` is a random
direction per document (its chunks stay close to each other), ``z_t`` fresh per
chunk. Queries are chunks of fresh documents, never stored rows. About 10% of
the documents carry the tag the filtered searches select, as in the first set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.datasets import Dataset, Matrix


@dataclass(frozen=True, slots=True)
class TopicMixtureSpec:
    """The parameters of the topic-mixture model (see the module docstring)."""

    dim: int = 384
    topics: int = 96
    alpha: float = 0.2
    latent_dim: int = 16
    spread: float = 0.9
    drift: float = 0.35
    noise: float = 0.35
    chunks_per_document: int = 10
    seed: int = 7


def make_topic_mixture(
    count: int, queries: int = 200, spec: TopicMixtureSpec | None = None, tag_share: float = 0.1
) -> Dataset:
    """``count`` unit vectors in documents of ``spec.chunks_per_document``, and ``queries``.

    Seeded: the same arguments always give the same arrays.
    """
    spec = spec or TopicMixtureSpec()
    rng = np.random.default_rng(spec.seed)
    topics = _directions(rng, spec.topics, spec.dim)
    bases = np.stack(
        [np.linalg.qr(rng.standard_normal((spec.dim, spec.latent_dim)))[0] for _ in topics]
    ).astype(np.float32) * (spec.spread / np.sqrt(spec.latent_dim))
    documents = -(-count // spec.chunks_per_document)
    document_of = np.arange(count, dtype=np.int64) // spec.chunks_per_document
    vectors = _chunks(spec, rng, topics, bases, documents, document_of)
    query_documents = np.arange(queries, dtype=np.int64)  # one chunk of each fresh document
    query_vectors = _chunks(spec, rng, topics, bases, queries, query_documents)
    tagged = rng.random(documents) < tag_share
    return Dataset(spec, vectors, document_of, query_vectors, tagged)


def _chunks(
    spec: TopicMixtureSpec,
    rng: np.random.Generator,
    topics: Matrix,
    bases: Matrix,
    documents: int,
    document_of: np.ndarray[tuple[int], np.dtype[np.int64]],
) -> Matrix:
    weights = rng.dirichlet(np.full(spec.topics, spec.alpha), size=documents).astype(np.float32)
    centres = weights @ topics
    drift = _directions(rng, documents, spec.dim) * spec.drift
    out = centres[document_of] + drift[document_of]
    chunk_weights = weights[document_of]
    for topic in range(spec.topics):
        share = chunk_weights[:, topic]
        rows = np.nonzero(share > 0.02)[0]  # a topic with a tiny weight adds nothing visible
        z = rng.standard_normal((len(rows), spec.latent_dim)).astype(np.float32)
        out[rows] += share[rows, None] * (z @ bases[topic].T)
    out += rng.standard_normal(out.shape).astype(np.float32) * (spec.noise / np.sqrt(spec.dim))
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32)


def _directions(rng: np.random.Generator, count: int, dim: int) -> Matrix:
    vectors = rng.standard_normal((count, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


__all__ = ["TopicMixtureSpec", "make_topic_mixture"]
