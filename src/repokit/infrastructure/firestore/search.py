"""Vector search, exact either way: Firestore's ``find_nearest``, or the shared scorer.

Without a document filter (and outside a unit of work) the search asks
Firestore for the ``k + 8`` nearest chunks of every document (``find_nearest``
over the collection group ``chunks``: a flat vector index, exact k-nearest
neighbours) and re-scores them with the shared scorer, so every backend reports
the same scores. Its answer is kept only when it is certainly the exact top ``k``
with repokit's tie rule: the ``k``-th best scores strictly better than the worst
chunk returned (else a tie may cross the cut), the collection had more chunks
than asked for (else the emulator or Firestore may have left out what it cannot
measure, such as zero vectors under cosine), and, under cosine, the ``k``-th
score is positive. Otherwise, and when Firestore has no vector index for the
field (a real database without the one in ``firestore.indexes.json``), the exact
scan answers: every chunk is a candidate (a collection-group query), or with a
document filter (``where``, ``workspace_id(s)``) the matching documents are
listed first (:mod:`.queries`) and their chunks read per document. Candidates
are scored in batches with numpy (:mod:`repokit.infrastructure.vector_scoring`)
into a bounded top-k; ties by chunk id. ``store.capabilities.vector_search`` is
``"exact"``: both paths are.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any
from uuid import UUID

import numpy as np
from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
from google.cloud.firestore_v1.vector import Vector

from repokit.domain.entities import Chunk, ScoredChunk
from repokit.domain.errors import RepokitError
from repokit.domain.query import Filter
from repokit.domain.vectors import validate_k, validate_metric
from repokit.infrastructure.firestore.client import MissingIndex, fields_of
from repokit.infrastructure.firestore.codec import CHUNKS as CHUNK_CODEC
from repokit.infrastructure.firestore.codec import DOCUMENTS as DOCUMENT_CODEC
from repokit.infrastructure.firestore.queries import listing
from repokit.infrastructure.firestore.scope import Reader, collection_path
from repokit.infrastructure.firestore.tables import CHUNKS, DOCUMENTS
from repokit.infrastructure.memory.listing import document_filter
from repokit.infrastructure.vector_scoring import ExactScorer, TopK

BATCH = 1000
"""Candidates scored per numpy call."""
NEAREST_MARGIN = 8
"""Chunks asked of ``find_nearest`` beyond ``k``, so a clear cut shows."""
MAX_NEAREST = 1000
"""Firestore's largest ``find_nearest`` limit."""
_CUT_MARGIN = 1e-9
_MEASURES = {
    "cosine": DistanceMeasure.COSINE,
    "l2": DistanceMeasure.EUCLIDEAN,
    "inner_product": DistanceMeasure.DOT_PRODUCT,
}


async def search_similar(
    reader: Reader,
    embedding: Sequence[float],
    dim: int,
    *,
    k: int,
    workspace_id: UUID | None,
    workspace_ids: Sequence[UUID] | None,
    where: Filter | None,
    metric: str,
) -> list[ScoredChunk]:
    """The ``k`` chunks most similar to ``embedding``, best first, ties by chunk id."""
    chosen = validate_metric(metric)
    scorer = ExactScorer(chosen, embedding, dim)
    k = validate_k(k)
    node = document_filter(where, workspace_id=workspace_id, workspace_ids=workspace_ids)
    if node is None and not reader_in_unit(reader):
        nearest = await _nearest(reader, scorer, k)
        if nearest is not None:
            return nearest
    best: TopK[Chunk] = TopK(k, tie_key=_chunk_id)
    batch: list[Chunk] = []
    async for chunk in _candidates(reader, node):
        batch.append(chunk)
        if len(batch) >= BATCH:
            _score(scorer, best, batch)
            batch = []
    if batch:
        _score(scorer, best, batch)
    return [ScoredChunk(chunk=chunk, score=score) for score, chunk in best.result()]


def reader_in_unit(reader: Reader) -> bool:
    """Inside a unit, reads merge pending writes: ``find_nearest`` cannot see those."""
    return bool(getattr(reader, "in_unit", False))


async def _nearest(reader: Reader, scorer: ExactScorer, k: int) -> list[ScoredChunk] | None:
    """The top ``k`` by ``find_nearest``, or None when only the scan can be sure (see the
    module doc)."""
    limit = k + NEAREST_MARGIN
    if limit > MAX_NEAREST:
        return None
    query = reader.client.db.collection_group(CHUNKS).find_nearest(
        vector_field="embedding",
        query_vector=Vector([float(x) for x in scorer.query]),
        distance_measure=_MEASURES[scorer.metric],
        limit=limit,
    )
    try:
        chunks = [CHUNK_CODEC.decode(fields_of(snap)) async for snap in reader.client.stream(query)]
    except (RepokitError, MissingIndex):
        return None  # no vector index for it on this database: the scan answers
    if len(chunks) < limit:
        return None
    matrix = np.asarray([chunk.embedding for chunk in chunks], dtype=np.float64)
    scores = scorer.score(matrix.reshape(len(chunks), scorer.dim))
    ranked = sorted(zip(scores.tolist(), chunks, strict=True), key=lambda p: (-p[0], p[1].id))
    kth, worst = ranked[k - 1][0], float(scores.min())
    if kth <= worst + _CUT_MARGIN or (scorer.metric == "cosine" and kth <= 0.0):
        return None
    return [ScoredChunk(chunk=chunk, score=score) for score, chunk in ranked[:k]]


def _score(scorer: ExactScorer, best: TopK[Chunk], batch: list[Chunk]) -> None:
    matrix = np.asarray([chunk.embedding for chunk in batch], dtype=np.float64)
    best.push(scorer.score(matrix.reshape(len(batch), scorer.dim)), batch)


def _chunk_id(chunk: Chunk) -> UUID:
    return chunk.id


async def _candidates(reader: Reader, node: Any) -> AsyncIterator[Chunk]:
    db = reader.client.db
    documents = db.collection(DOCUMENTS.name)
    if node is None and not reader_in_unit(reader):
        async for snap in reader.client.stream(db.collection_group(CHUNKS)):
            yield CHUNK_CODEC.decode(fields_of(snap))
        return
    matching = await reader.select(
        listing(documents, DOCUMENT_CODEC, node, order=None, order_value=lambda _d: None)
    )
    for document in matching:
        sub = documents.document(str(document.id)).collection(CHUNKS)
        for _, data in await reader.documents(sub, collection_path(sub), lambda _data: True):
            yield CHUNK_CODEC.decode(data)


__all__ = ["MAX_NEAREST", "NEAREST_MARGIN", "reader_in_unit", "search_similar"]
