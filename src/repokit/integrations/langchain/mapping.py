"""LangChain documents as records (``repokit.integrations.codec``), and back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.documents import Document as LangChainDocument

from repokit.domain.errors import InvalidQueryError
from repokit.domain.ids import uuid7
from repokit.integrations.codec import Record, packed_embeddings


def keys_for(count: int, ids: Sequence[str | None] | None) -> list[str]:
    """The keys of ``count`` new texts: the given ids, a new UUIDv7 where one is missing.

    Raises:
        InvalidQueryError: ``ids`` does not have one entry per text.
    """
    if ids is None:
        return [str(uuid7()) for _ in range(count)]
    if len(ids) != count:
        raise InvalidQueryError(f"{len(ids)} ids for {count} texts: give one id per text")
    return [key if key else str(uuid7()) for key in ids]


def to_records(
    keys: Sequence[str],
    texts: Sequence[str],
    metadatas: Sequence[dict[str, Any]] | None,
    embeddings: Sequence[Sequence[float]],
) -> list[Record]:
    """One record per text; the embeddings as rows of one matrix (``packed_embeddings``).

    Raises:
        InvalidQueryError: ``metadatas`` or ``embeddings`` do not have one entry per text.
    """
    if metadatas is not None and len(metadatas) != len(texts):
        raise InvalidQueryError(f"{len(metadatas)} metadatas for {len(texts)} texts")
    if len(embeddings) != len(texts):
        raise InvalidQueryError(
            f"the embedding model returned {len(embeddings)} vectors for {len(texts)} texts"
        )
    rows = packed_embeddings(embeddings)
    return [
        Record(key, text, (metadatas[i] if metadatas is not None else None) or {}, rows[i])
        for i, (key, text) in enumerate(zip(keys, texts, strict=True))
    ]


def to_document(record: Record) -> LangChainDocument:
    """The LangChain document a record holds (its id is the record's key)."""
    return LangChainDocument(
        id=record.key, page_content=record.text, metadata=dict(record.metadata)
    )


__all__ = ["keys_for", "to_document", "to_records"]
