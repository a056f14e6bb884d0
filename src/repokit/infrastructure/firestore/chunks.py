"""Chunks: a subcollection ``chunks`` of their document, one document per ordinal.

Why a subcollection: every read of chunks is by document (``get_chunks``, a
filtered search reading the chunks of the matching documents) or of all of them
(an unfiltered search: a collection-group query over every ``chunks``), and a
document's delete takes its subcollection with it. The chunk's document id is
its ordinal, zero-padded to 20 digits (:func:`chunk_key`): the ordinal is unique
per document by construction (``create`` refuses a second one, also against a
concurrent call), and the document ids list the chunks in ordinal order. A
repeated chunk id is found by the call's read of the document's chunks, which it
makes anyway (the document must exist).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from uuid import UUID

from repokit.domain.entities import Chunk
from repokit.domain.errors import DuplicateError, NotFoundError, RepokitError
from repokit.infrastructure.firestore.codec import CHUNKS as CHUNK_CODEC
from repokit.infrastructure.firestore.scope import Reader, Scope, Step, collection_path
from repokit.infrastructure.firestore.tables import CHUNKS, DOCUMENTS
from repokit.infrastructure.firestore.writes import Write
from repokit.infrastructure.write_checks import checked_chunks


async def add_chunks(scope: Scope, document_id: UUID, chunks: Sequence[Chunk], dim: int) -> None:
    """Store chunks of an existing document, all or none."""
    rows = checked_chunks(document_id, chunks, dim)

    async def step(tx: Step) -> None:
        parent = tx.client.db.collection(DOCUMENTS.name).document(str(document_id))
        if await tx.get(parent) is None:
            raise NotFoundError(f"document {document_id} does not exist")
        if not rows:
            return
        sub = parent.collection(CHUNKS)
        stored = await tx.documents(sub, collection_path(sub), lambda _data: True)
        taken_ids = {data.get("id") for _, data in stored}
        taken_ordinals = {data.get("ordinal") for _, data in stored}
        for row in rows:
            if str(row.id) in taken_ids:
                raise DuplicateError(f"chunk id {row.id} is already used")
            if row.ordinal in taken_ordinals:
                raise DuplicateError(f"chunk (document_id, ordinal) {row.ordinal} is already used")
        tx.write(
            [
                Write(
                    sub.document(chunk_key(row.ordinal)),
                    CHUNK_CODEC.encode(row),
                    "create",
                    _ordinal_taken(row.ordinal),
                )
                for row in rows
            ]
        )

    await scope.run(step)


def chunk_key(ordinal: int) -> str:
    """The document id of the chunk at ``ordinal`` (ids sort as ordinals do)."""
    return f"{ordinal:020d}"


def _ordinal_taken(ordinal: int) -> Callable[[], RepokitError]:
    def make() -> RepokitError:
        return DuplicateError(f"chunk (document_id, ordinal) {ordinal} is already used")

    return make


async def get_chunks(reader: Reader, document_id: UUID) -> builtins.list[Chunk]:
    """The document's chunks in ordinal order."""
    parent = reader.client.db.collection(DOCUMENTS.name).document(str(document_id))
    sub = parent.collection(CHUNKS)
    stored = await reader.documents(sub, collection_path(sub), lambda _data: True)
    chunks = [CHUNK_CODEC.decode(data) for _, data in stored]
    chunks.sort(key=lambda chunk: chunk.ordinal)
    return chunks


__all__ = ["add_chunks", "chunk_key", "get_chunks"]
