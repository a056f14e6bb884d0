"""Chunks: items under their document's partition, embeddings as packed float32 binary.

A chunk is ``DOC#<document>`` / ``CHUNK#<ordinal>`` (so a document's chunks are
one consistent ``Query`` in ordinal order, and a repeated ordinal is a failed
``attribute_not_exists``), with a guard item ``CHUNKID#<id>`` keeping chunk ids
unique, and ``G1PK = CHUNKS`` so the search can stream every chunk.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from uuid import UUID

from repokit.domain.entities import Chunk
from repokit.domain.errors import InvalidQueryError, NotFoundError
from repokit.infrastructure.dynamodb.embeddings import pack_embedding, unpack_embedding
from repokit.infrastructure.dynamodb.items import Item, encode_body, live, s
from repokit.infrastructure.dynamodb.layout import (
    CHUNKS,
    chunk_guard_key,
    chunk_key,
    document_key,
)
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import Scope
from repokit.infrastructure.dynamodb.writes import (
    ABSENT,
    MAX_TRANSACTION_ITEMS,
    PRESENT,
    Write,
    check,
    put,
)
from repokit.infrastructure.write_checks import checked_chunks


def chunk_item(chunk: Chunk) -> Item:
    """A chunk's item: body JSON without the embedding, the embedding packed, index keys."""
    body, parts = encode_body(chunk.model_copy(update={"embedding": []}))
    if parts:
        raise InvalidQueryError(
            f"chunk {chunk.id} is too large for one DynamoDB item (400 KB), even compressed"
        )
    return {
        **body,
        "e": {"B": pack_embedding(chunk.embedding)},
        "cid": s(str(chunk.id)),
        "G1PK": s(CHUNKS),
        "G1SK": s(str(chunk.id)),
    }


def read_chunk(item: Item) -> Chunk:
    """The chunk stored in ``item``."""
    if "d" in item:
        data = json.loads(item["d"]["S"])
    else:
        data = json.loads(zlib.decompress(item["z"]["B"]))
    data["embedding"] = unpack_embedding(item["e"]["B"])
    return Chunk.model_validate(data)


async def add_chunks(scope: Scope, document_id: UUID, chunks: Sequence[Chunk], dim: int) -> None:
    """Store chunks of an existing document, all or none.

    Up to 49 chunks (two items each, plus the document's check) go in one
    transaction; more are written in transactions of 100 items and, if one
    fails, the ones written before are deleted again (outside a unit of work).
    """
    rows = checked_chunks(document_id, chunks, dim)
    doc_key = document_key(document_id)
    if live(await scope.get(doc_key)) is None:
        raise NotFoundError(f"document {document_id} does not exist")
    if not rows:
        return
    writes: list[Write] = [check(doc_key, f"document {document_id}", PRESENT)]
    for chunk in rows:
        writes.append(
            put(
                chunk_key(document_id, chunk.ordinal),
                chunk_item(chunk),
                f"chunk ({document_id}, {chunk.ordinal})",
                ABSENT,
            )
        )
        writes.append(
            put(
                chunk_guard_key(chunk.id),
                {"doc": s(str(document_id))},
                f"chunk id {chunk.id}",
                ABSENT,
            )
        )
    if scope.in_unit or len(writes) <= MAX_TRANSACTION_ITEMS:
        await scope.apply(writes)
    else:
        await scope.apply_large(writes, undo=True)


async def get_chunks(scope: Scope, document_id: UUID) -> list[Chunk]:
    """The document's chunks in ordinal order (one consistent ``Query``)."""
    spec = QuerySpec(partition=document_key(document_id)[0], prefix="CHUNK#")
    return [read_chunk(item) async for item in scope.query(spec)]
