"""Vector search: exact scoring of the candidate chunks with the shared scorer.

Without a document filter every chunk is a candidate (a collection-group query
over every document's ``chunks``). With one (``where``, ``workspace_id(s)``) the
matching documents are listed first (:mod:`.queries`) and their chunks read per
document. Candidates are scored in batches with numpy
(:mod:`repokit.infrastructure.vector_scoring`) into a bounded top-k; ties by
chunk id. ``store.capabilities.vector_search`` is ``"exact"``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any
from uuid import UUID

import numpy as np

from repokit.domain.entities import Chunk, ScoredChunk
from repokit.domain.query import Filter
from repokit.domain.vectors import validate_k, validate_metric
from repokit.infrastructure.firestore.codec import CHUNKS as CHUNK_CODEC
from repokit.infrastructure.firestore.codec import DOCUMENTS as DOCUMENT_CODEC
from repokit.infrastructure.firestore.queries import listing
from repokit.infrastructure.firestore.scope import Reader, collection_path
from repokit.infrastructure.firestore.tables import CHUNKS, DOCUMENTS
from repokit.infrastructure.memory.listing import document_filter
from repokit.infrastructure.vector_scoring import ExactScorer, TopK

BATCH = 1000
"""Candidates scored per numpy call."""


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


def _score(scorer: ExactScorer, best: TopK[Chunk], batch: list[Chunk]) -> None:
    matrix = np.asarray([chunk.embedding for chunk in batch], dtype=np.float64)
    best.push(scorer.score(matrix.reshape(len(batch), scorer.dim)), batch)


def _chunk_id(chunk: Chunk) -> UUID:
    return chunk.id


async def _candidates(reader: Reader, node: Any) -> AsyncIterator[Chunk]:
    db = reader.client.db
    documents = db.collection(DOCUMENTS.name)
    if node is None and not getattr(reader, "in_unit", False):
        async for snap in reader.client.stream(db.collection_group(CHUNKS)):
            yield CHUNK_CODEC.decode(snap.to_dict() or {})
        return
    matching = await reader.select(
        listing(documents, DOCUMENT_CODEC, node, order=None, order_value=lambda _d: None)
    )
    for document in matching:
        sub = documents.document(str(document.id)).collection(CHUNKS)
        for _, data in await reader.documents(sub, collection_path(sub), lambda _data: True):
            yield CHUNK_CODEC.decode(data)


__all__ = ["search_similar"]
