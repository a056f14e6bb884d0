"""What the use cases return, shared by their async and sync forms."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from repokit.domain.entities import Chunk, Document

_DOCUMENT_NAMESPACE = uuid5(NAMESPACE_URL, "https://repokit.dev/ns/document")


def stable_document_id(workspace_id: UUID, key: str) -> UUID:
    """A document id derived from the workspace and a caller's key (a title, a path).

    Passing it as ``document_id`` makes ingesting the same key twice a no-op.
    """
    return uuid5(_DOCUMENT_NAMESPACE, f"{workspace_id}/{key}")


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What :func:`ingest_document` did: the document, and whether this call stored it."""

    document: Document
    chunks_written: int
    created: bool


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A matching chunk with its document; ``score`` is higher for closer matches."""

    document: Document
    chunk: Chunk
    score: float


__all__ = ["IngestResult", "SearchHit", "stable_document_id"]
