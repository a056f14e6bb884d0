"""Exact vector search: chunks streamed page by page, scored with numpy, a bounded top-k.

Without a document filter every chunk is read from the ``CHUNKS`` partition of
G1. With one (``where``, ``workspace_id(s)``), the matching documents are listed
first: when they are few, their chunks are read per document (a consistent
``Query`` each); else the ``CHUNKS`` stream is read and kept to their ids. Memory
holds one page of candidates plus the ``k`` best; DynamoDB has no vector index,
so ``capabilities.vector_index`` is False and the cost grows with the chunks read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from uuid import UUID

from repokit.domain.entities import ScoredChunk
from repokit.domain.query import Filter, FilterNode
from repokit.domain.vectors import validate_k, validate_metric
from repokit.infrastructure.dynamodb.chunks import read_chunk
from repokit.infrastructure.dynamodb.items import Item
from repokit.infrastructure.dynamodb.layout import CHUNKS, G1, document_key
from repokit.infrastructure.dynamodb.listing import documents_spec, matching_documents
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import Scope
from repokit.infrastructure.memory.listing import document_filter
from repokit.infrastructure.vector_scoring import ExactScorer, TopK

PER_DOCUMENT_LIMIT = 64
"""Up to this many matching documents, their chunks are read per document."""
BATCH = 1000
"""Candidates scored per numpy call."""


async def search_similar(
    scope: Scope,
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
    best: TopK[Item] = TopK(k, tie_key=_chunk_id)
    batch: list[Item] = []
    async for item in candidates(scope, node):
        batch.append(item)
        if len(batch) >= BATCH:
            _score(scorer, best, batch)
            batch = []
    if batch:
        _score(scorer, best, batch)
    return [ScoredChunk(chunk=read_chunk(item), score=score) for score, item in best.result()]


def _score(scorer: ExactScorer, best: TopK[Item], batch: list[Item]) -> None:
    best.push(scorer.score_packed([item["e"]["B"] for item in batch]), batch)


def _chunk_id(item: Item) -> UUID:
    return UUID(item["cid"]["S"])


async def candidates(scope: Scope, node: FilterNode | None) -> AsyncIterator[Item]:
    """The chunk items whose document matches ``node`` (every chunk when it is None)."""
    everything = QuerySpec(partition=CHUNKS, index=G1)
    if node is None:
        async for item in scope.query(everything):
            yield item
        return
    wanted: set[str] = set()
    spec = documents_spec(None, node)
    async for document in matching_documents(scope, spec, node):
        wanted.add(document_key(document.id)[0])
    if len(wanted) <= PER_DOCUMENT_LIMIT:
        for partition in sorted(wanted):
            async for item in scope.query(QuerySpec(partition=partition, prefix="CHUNK#")):
                yield item
        return
    async for item in scope.query(everything):
        if item["PK"]["S"] in wanted:
            yield item
