"""Haystack documents as records (``repokit.integrations.codec``), and back.

``id``, ``content``, ``meta`` and ``embedding`` map to the record's key, text,
metadata and embedding. What repokit has no column for travels in the record's
extras, written only when set: ``content`` of ``None`` (``"no_content"``), ``blob``
(base64 with its meta and MIME type), ``sparse_embedding`` and ``score``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from haystack.dataclasses import ByteStream, SparseEmbedding
from haystack.dataclasses import Document as HaystackDocument

from repokit.domain.errors import InvalidQueryError
from repokit.integrations.codec import Record


def to_records(documents: Any) -> list[Record]:
    """One record per Haystack document.

    Raises:
        InvalidQueryError: ``documents`` is not a list of Haystack ``Document`` (a
            ``ValueError``, as Haystack's stores raise).
    """
    if not isinstance(documents, list):
        raise InvalidQueryError(
            f"write_documents takes a list of Documents, got {type(documents).__name__}"
        )
    for document in documents:
        if not isinstance(document, HaystackDocument):
            raise InvalidQueryError(
                f"write_documents takes a list of Documents, got a {type(document).__name__}"
            )
    return [to_record(document) for document in documents]


def to_record(document: HaystackDocument) -> Record:
    """The record of one Haystack document."""
    extras: dict[str, Any] = {}
    if document.content is None:
        extras["no_content"] = True
    if document.blob is not None:
        extras["blob"] = {
            "data": base64.b64encode(document.blob.data).decode("ascii"),
            "meta": document.blob.meta,
            "mime_type": document.blob.mime_type,
        }
    if document.sparse_embedding is not None:
        extras["sparse_embedding"] = document.sparse_embedding.to_dict()
    if document.score is not None:
        extras["score"] = document.score
    return Record(
        key=document.id,
        text=document.content or "",
        metadata=document.meta,
        embedding=document.embedding,
        extras=extras,
    )


def to_document(
    record: Record, *, score: float | None = None, embedding: bool = True
) -> HaystackDocument:
    """The Haystack document a record holds; ``score`` replaces a stored one."""
    extras = record.extras
    blob = extras.get("blob")
    sparse = extras.get("sparse_embedding")
    return HaystackDocument(
        id=record.key,
        content=None if extras.get("no_content") else record.text,
        blob=_blob(blob) if isinstance(blob, dict) else None,
        meta=dict(record.metadata),
        score=score if score is not None else extras.get("score"),
        embedding=_floats(record.embedding) if embedding else None,
        sparse_embedding=SparseEmbedding.from_dict(sparse) if isinstance(sparse, dict) else None,
    )


def _blob(stored: dict[str, Any]) -> ByteStream:
    return ByteStream(
        data=base64.b64decode(stored["data"]),
        meta=stored.get("meta") or {},
        mime_type=stored.get("mime_type"),
    )


def _floats(embedding: Sequence[float] | None) -> list[float] | None:
    return None if embedding is None else list(embedding)


__all__ = ["to_document", "to_record", "to_records"]
