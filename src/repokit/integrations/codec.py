"""A framework document (a *record*) as repokit entities, and back.

One record is one repokit :class:`~repokit.Document` plus, when it has an
embedding, one :class:`~repokit.Chunk` (ordinal 0):

* ``Document.id`` is the record's key as a UUID (:func:`key_uuid`), so reading,
  overwriting and deleting by key are point operations on the primary key;
* ``Document.title`` holds the key itself (frameworks use arbitrary strings);
* ``Document.content`` and ``Chunk.content`` hold the text;
* ``Document.metadata`` holds the framework's metadata as it is, so a framework
  filter on ``field`` becomes repokit's ``metadata.field`` and stays on the
  backend's metadata index (PostgreSQL's GIN index, for one);
* ``Chunk.metadata`` repeats the key and the metadata (``{"key": ..., "metadata":
  ...}``), so a vector search builds its results from the hits alone, with no
  read of the parent documents.

Fields a framework has beyond text, metadata and embedding (Haystack's ``blob``,
``sparse_embedding``, ``score``, a ``None`` content) travel in the metadata under
the reserved key :data:`EXTRAS_KEY`, written only when one is set.

A document or chunk that was not written through an integration (no key in its
title or chunk metadata) reads back as a record keyed by its document id.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError

from repokit.domain.entities import Chunk, Document, ScoredChunk
from repokit.domain.errors import InvalidQueryError
from repokit.domain.ids import uuid7

KEY_NAMESPACE = uuid.UUID("6f1c5e1e-3b8a-5c47-9f5e-2a1d0c7b4e90")
"""The uuid5 namespace of keys that are not UUIDs themselves (fixed: changing it
would orphan every stored record)."""

EXTRAS_KEY = "_repokit"
"""Metadata key holding a record's framework-specific extra fields."""


def packed_embeddings(embeddings: Sequence[Sequence[float]]) -> Sequence[Sequence[float]]:
    """``embeddings`` as the rows of one float64 matrix where they make one (every vector
    of the same length, all numbers); otherwise as given.

    An embedding model answers a batch with a list of lists of Python floats: for
    20,000 x 384, about 7.7 million objects, which Python's cyclic garbage collector
    walks again on every full collection while they live (writing that batch through
    the LangChain store spent 0.9 of its 2.2 s of client time in the collector). One
    matrix is one object it never walks: the same write's client time fell to 1.95 s,
    the rest of the collector's time going to the documents and chunks the write
    builds (docs/integrations.md). The values are unchanged (float64, as the
    floats were); each adapter still checks and narrows them as it stores them.
    Anything irregular is returned as it is, for the per-record checks to report.
    """
    try:
        matrix = np.asarray(embeddings, dtype=np.float64)
    except (TypeError, ValueError):
        return embeddings
    if matrix.ndim != 2 or len(matrix) != len(embeddings):
        return embeddings
    return matrix  # type: ignore[return-value]  # a 2-d array is a sequence of rows


@dataclass(frozen=True, slots=True)
class Record:
    """A framework document: its key, text, metadata, optional embedding and extras."""

    key: str
    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    embedding: Sequence[float] | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    """Framework fields repokit has no column for (JSON values), e.g. Haystack's blob."""


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """The entities one record is stored as."""

    document: Document
    chunk: Chunk | None


def key_uuid(key: str) -> uuid.UUID:
    """The document id of a key: the key itself when it is a canonical UUID, else uuid5.

    Only the canonical spelling maps to itself, so two different keys never share an id.
    """
    try:
        parsed = uuid.UUID(key)
    except ValueError:
        return uuid.uuid5(KEY_NAMESPACE, key)
    return parsed if str(parsed) == key else uuid.uuid5(KEY_NAMESPACE, key)


def to_entities(record: Record, embedding_dim: int) -> StoredRecord:
    """The document (and chunk) that store ``record``.

    Raises:
        InvalidQueryError: the key is empty, the metadata uses :data:`EXTRAS_KEY` or
            holds values repokit cannot store (not JSON, NaN, a huge integer), or the
            embedding does not have ``embedding_dim`` numbers.
    """
    if not record.key:
        raise InvalidQueryError("a record needs a non-empty id")
    if EXTRAS_KEY in record.metadata:
        raise InvalidQueryError(
            f"metadata key {EXTRAS_KEY!r} is reserved by repokit's integrations "
            f"(record {record.key!r})"
        )
    metadata = dict(record.metadata)
    if record.extras:
        metadata[EXTRAS_KEY] = dict(record.extras)
    document_id = key_uuid(record.key)
    try:
        document = Document(
            id=document_id, title=record.key, content=record.text, metadata=metadata
        )
        chunk = None
        if record.embedding is not None:
            if len(record.embedding) != embedding_dim:
                raise InvalidQueryError(
                    f"record {record.key!r}: the embedding has {len(record.embedding)} "
                    f"numbers, the store takes {embedding_dim}"
                )
            # Built without validation: the metadata was just checked by the document's
            # validation, and every adapter checks embeddings as it stores them (length,
            # finite, float32), so validating 384 floats here too would double the work.
            # A list or an array row (packed_embeddings) is not copied: the chunk lives
            # only while the write runs.
            embedding = record.embedding
            if not isinstance(embedding, list | np.ndarray):
                embedding = list(embedding)
            chunk = Chunk.model_construct(
                id=uuid7(),
                document_id=document_id,
                ordinal=0,
                content=record.text,
                embedding=embedding,
                metadata={"key": record.key, "metadata": document.metadata},
            )
    except ValidationError as exc:
        raise InvalidQueryError(f"record {record.key!r} cannot be stored: {_first(exc)}") from exc
    return StoredRecord(document, chunk)


def from_document(document: Document, embedding: Sequence[float] | None = None) -> Record:
    """The record a stored document holds (``embedding`` from its chunk, if read)."""
    key = document.title if key_uuid(document.title) == document.id else str(document.id)
    metadata, extras = _split_extras(document.metadata)
    return Record(key, document.content, metadata, embedding, extras)


def from_hit(hit: ScoredChunk) -> tuple[Record, float]:
    """The record of a search hit, and its score (higher is more similar)."""
    chunk = hit.chunk
    stored = chunk.metadata
    key = stored.get("key")
    if isinstance(key, str) and key_uuid(key) == chunk.document_id:
        raw = stored.get("metadata")
        metadata, extras = _split_extras(raw if isinstance(raw, dict) else {})
    else:  # a chunk written without an integration: keyed by its document
        key, (metadata, extras) = str(chunk.document_id), _split_extras(stored)
    return Record(key, chunk.content, metadata, chunk.embedding, extras), hit.score


def _split_extras(stored: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    metadata = dict(stored)
    extras = metadata.pop(EXTRAS_KEY, None)
    return metadata, extras if isinstance(extras, dict) else {}


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]


__all__ = [
    "EXTRAS_KEY",
    "KEY_NAMESPACE",
    "Record",
    "StoredRecord",
    "from_document",
    "from_hit",
    "key_uuid",
    "packed_embeddings",
    "to_entities",
]
