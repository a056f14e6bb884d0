"""Chunk writes: validation into BSON documents and the all-or-nothing insert."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Any
from uuid import UUID

from pymongo.errors import BulkWriteError

from repokit.domain.entities import Chunk
from repokit.domain.errors import DuplicateError, InvalidQueryError
from repokit.domain.vectors import validate_embedding
from repokit.infrastructure.mongo.client import Collection, Session
from repokit.infrastructure.mongo.codec import CHUNKS
from repokit.infrastructure.mongo.errors import DRIVER_ERRORS
from repokit.infrastructure.mongo.repository import delete_ids


def chunk_docs(document_id: UUID, chunks: Sequence[Chunk], dim: int) -> list[dict[str, Any]]:
    """The chunks as stored, checked: each belongs to ``document_id`` and has ``dim`` numbers."""
    docs = []
    for chunk in chunks:
        if chunk.document_id != document_id:
            raise InvalidQueryError(
                f"chunk {chunk.id} belongs to document {chunk.document_id}, not {document_id}"
            )
        embedding = validate_embedding(chunk.embedding, dim, what=f"embedding of chunk {chunk.id}")
        docs.append(CHUNKS.encode(chunk.model_copy(update={"embedding": embedding})))
    return docs


async def insert_chunks(
    collection: Collection,
    docs: Sequence[dict[str, Any]],
    session: Session | None,
    *,
    in_unit: bool,
) -> None:
    """Insert ``docs`` in order, all or none.

    The unique indexes (``_id``, and ``(document_id, ordinal)``) refuse repeats;
    without a transaction the chunks that landed before the failing one are
    deleted again. Inside a unit the repeats are looked for first, since any
    server error would abort the unit's whole transaction.
    """
    if not docs:
        return
    if in_unit:
        await _check_free(collection, docs, session)
    try:
        await collection.insert_many(list(docs), ordered=True, session=session)
    except BulkWriteError as exc:
        landed = int(exc.details.get("nInserted", 0))
        if session is None and landed:
            with suppress(*DRIVER_ERRORS):  # the duplicate is the error to report
                await delete_ids(collection, [doc["_id"] for doc in docs[:landed]], None)
        raise


async def _check_free(
    collection: Collection, docs: Sequence[dict[str, Any]], session: Session | None
) -> None:
    ids = [doc["_id"] for doc in docs]
    ordinals = [doc["ordinal"] for doc in docs]
    if len(set(ids)) < len(ids) or len(set(ordinals)) < len(ordinals):
        raise DuplicateError("a chunk id or ordinal is given twice in the batch")
    clash = await collection.find_one(
        {
            "$or": [
                {"_id": {"$in": ids}},
                {"document_id": docs[0]["document_id"], "ordinal": {"$in": ordinals}},
            ]
        },
        {"_id": 1},
        session=session,
    )
    if clash is not None:
        raise DuplicateError("a chunk id or (document_id, ordinal) of the batch is already stored")
