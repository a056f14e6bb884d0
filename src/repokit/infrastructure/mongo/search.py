"""``search_similar`` on MongoDB: exact by default, Atlas ``$vectorSearch`` where indexed.

**Exact** (every server): the candidate documents are selected by the document
query (workspace arguments and ``where``), their ids streamed in batches of
:data:`DOCUMENT_BATCH`; for each batch the chunks' ids and embeddings (only
those fields) are streamed and scored with numpy, and a running top-k keeps
the best. Memory stays bounded by the batch sizes whatever the collection's
size, and a filtered search returns ``k`` hits whenever ``k`` chunks match. An
unfiltered search streams the chunks collection directly. Only the ``k``
winners are then fetched whole and become entities.

**Atlas** (a server with the :data:`~.schema.VECTOR_INDEX` vector search
index, which reports ``capabilities.vector_index``): ``cosine`` searches run
``$vectorSearch`` with the candidate document ids as its pre-filter on
``document_id``, ask for ``k + 8`` results from ``max(20 k, 200)`` candidates
and re-score them exactly; when fewer than ``k`` come back (a selective
filter), or the filter selects more than :data:`ATLAS_FILTER_LIMIT` documents,
the exact path runs instead. ``l2``, ``inner_product`` and ``exact=True`` are exact.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from repokit.domain.entities import ScoredChunk
from repokit.domain.vectors import validate_k, validate_metric
from repokit.infrastructure.mongo.client import Collection, Session
from repokit.infrastructure.mongo.codec import CHUNKS, VECTOR_HEADER
from repokit.infrastructure.mongo.repository import find_all
from repokit.infrastructure.mongo.schema import VECTOR_INDEX
from repokit.infrastructure.vector_scoring import ExactScorer, TopK

DOCUMENT_BATCH = 1000
"""Candidate document ids per chunk query."""
CHUNK_BATCH = 2048
"""Chunks scored at once (and the cursor's batch size)."""
ATLAS_FILTER_LIMIT = 10_000
"""Most candidate documents the Atlas pre-filter lists; beyond it the search is exact."""


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A checked search: its scorer (query and metric), ``k``, and whether to bypass the index."""

    scorer: ExactScorer
    k: int
    exact: bool

    @classmethod
    def checked(
        cls, embedding: Sequence[float], *, dim: int, k: int, metric: str, exact: bool
    ) -> SearchRequest:
        """Validate the arguments (``InvalidQueryError`` naming the bad one)."""
        scorer = ExactScorer(validate_metric(metric), embedding, dim)
        return cls(scorer, validate_k(k), exact)


async def search_chunks(
    documents: Collection,
    chunks: Collection,
    document_query: Mapping[str, Any],
    request: SearchRequest,
    session: Session | None,
) -> builtins.list[ScoredChunk]:
    """The ``k`` best chunks whose documents match ``document_query``, best first."""
    if not request.exact and request.scorer.metric == "cosine":
        hits = await _atlas_search(documents, chunks, document_query, request, session)
        if hits is not None:
            return hits
    top: TopK[str] = TopK(request.k)
    if document_query:
        ids: list[str] = []
        cursor = documents.find(document_query, {"_id": 1}, session=session).batch_size(
            DOCUMENT_BATCH
        )
        async for doc in cursor:
            ids.append(doc["_id"])
            if len(ids) == DOCUMENT_BATCH:
                await _score_chunks(chunks, {"document_id": {"$in": ids}}, request, top, session)
                ids = []
        if ids:
            await _score_chunks(chunks, {"document_id": {"$in": ids}}, request, top, session)
    else:
        await _score_chunks(chunks, {}, request, top, session)
    return await _winners(chunks, top.result(), session)


async def _score_chunks(
    chunks: Collection,
    query: Mapping[str, Any],
    request: SearchRequest,
    top: TopK[str],
    session: Session | None,
) -> None:
    cursor = chunks.find(query, {"_id": 1, "embedding": 1}, session=session).batch_size(CHUNK_BATCH)
    ids: list[str] = []
    vectors: list[bytes] = []
    async for doc in cursor:
        ids.append(doc["_id"])
        vectors.append(doc["embedding"])
        if len(ids) == CHUNK_BATCH:
            _offer(request, top, ids, vectors)
            ids, vectors = [], []
    if ids:
        _offer(request, top, ids, vectors)


def _offer(request: SearchRequest, top: TopK[str], ids: list[str], vectors: list[bytes]) -> None:
    # Each stored embedding is a BSON binary vector: a header, then little-endian float32s.
    top.push(request.scorer.score_packed(vectors, header=VECTOR_HEADER), ids)


async def _winners(
    chunks: Collection, ranked: list[tuple[float, str]], session: Session | None
) -> builtins.list[ScoredChunk]:
    if not ranked:
        return []
    docs = await find_all(chunks, {"_id": {"$in": [id_ for _, id_ in ranked]}}, session)
    by_id = {doc["_id"]: doc for doc in docs}
    return [
        ScoredChunk(chunk=CHUNKS.decode(by_id[id_]), score=score)
        for score, id_ in ranked
        if id_ in by_id
    ]


async def _atlas_search(
    documents: Collection,
    chunks: Collection,
    document_query: Mapping[str, Any],
    request: SearchRequest,
    session: Session | None,
) -> builtins.list[ScoredChunk] | None:
    """``$vectorSearch`` re-scored exactly, or None when the exact path must answer."""
    stage: dict[str, Any] = {
        "index": VECTOR_INDEX,
        "path": "embedding",
        "queryVector": request.scorer.query.tolist(),
        "numCandidates": max(20 * request.k, 200),
        "limit": request.k + 8,
    }
    if document_query:
        ids = await find_all(
            documents, document_query, session, projection={"_id": 1}, limit=ATLAS_FILTER_LIMIT + 1
        )
        if len(ids) > ATLAS_FILTER_LIMIT:
            return None
        stage["filter"] = {"document_id": {"$in": [doc["_id"] for doc in ids]}}
    pipeline = [{"$vectorSearch": stage}, {"$project": {"_id": 1, "embedding": 1}}]
    cursor = await chunks.aggregate(pipeline, session=session)
    found = await cursor.to_list()
    if len(found) < request.k:
        return None
    top: TopK[str] = TopK(request.k)
    _offer(request, top, [doc["_id"] for doc in found], [doc["embedding"] for doc in found])
    return await _winners(chunks, top.result(), session)
