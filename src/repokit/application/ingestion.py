"""Use case: ingest a document (split, embed, store with its chunks, audit)."""

from __future__ import annotations

from functools import partial
from uuid import UUID

from repokit.application.access import require_role
from repokit.application.embedding import EmbedderPort
from repokit.application.results import IngestResult, stable_document_id
from repokit.application.splitting import split_text
from repokit.application.units import first_write, undo_on_failure, write_unit
from repokit.domain.entities import AuditEvent, Chunk, Document, Metadata, Role
from repokit.domain.errors import DuplicateError
from repokit.domain.ids import uuid7
from repokit.domain.ports import StorePort


async def ingest_document(
    store: StorePort,
    embedder: EmbedderPort,
    *,
    actor_id: UUID,
    workspace_id: UUID,
    title: str,
    content: str,
    metadata: Metadata | None = None,
    document_id: UUID | None = None,
    max_chars: int = 800,
    overlap: int = 100,
) -> IngestResult:
    """Split, embed and store a document with its chunks and an audit event, in one unit.

    The actor must be at least EDITOR of the workspace. With a ``document_id``
    that is already stored in this workspace nothing is written and the stored
    document is returned with ``created=False``, so re-running an ingestion is safe.

    Raises:
        PermissionDeniedError: the actor is not at least EDITOR.
        DuplicateError: ``document_id`` is used by a document of another workspace.
    """
    pieces = split_text(content, max_chars=max_chars, overlap=overlap)
    try:
        return await _ingest(
            store,
            embedder,
            actor_id,
            workspace_id,
            pieces,
            Document(
                id=document_id or uuid7(),
                workspace_id=workspace_id,
                title=title,
                content=content,
                metadata=metadata or {},
            ),
            idempotent=document_id is not None,
        )
    except DuplicateError:
        if document_id is None:
            raise
        # A concurrent ingestion of the same id won the race: its result is ours.
        existing = await store.documents.get_by_id(document_id)
        if existing is None:
            raise
        return _already_stored(existing, workspace_id)


async def _ingest(
    store: StorePort,
    embedder: EmbedderPort,
    actor_id: UUID,
    workspace_id: UUID,
    pieces: list[str],
    document: Document,
    *,
    idempotent: bool,
) -> IngestResult:
    async with write_unit(store) as repositories:
        await require_role(
            repositories,
            user_id=actor_id,
            workspace_id=workspace_id,
            needed=Role.EDITOR,
            to="add documents",
        )
        if idempotent:
            existing = await repositories.documents.get_by_id(document.id)
            if existing is not None:
                return _already_stored(existing, workspace_id)
        # Embedded inside the unit, after the checks, so a re-run embeds nothing;
        # the embedder is pure computation, so the unit waits on CPU, not on I/O.
        vectors = embedder.embed(pieces)
        forget = partial(store.documents.delete, document.id)
        document = await first_write(store, partial(repositories.documents.save, document), forget)
        chunks = [
            Chunk(document_id=document.id, ordinal=ordinal, content=piece, embedding=vector)
            for ordinal, (piece, vector) in enumerate(zip(pieces, vectors, strict=True))
        ]
        # Without transactions: deleting the document takes its chunks with it.
        async with undo_on_failure(store, forget):
            if chunks:
                await repositories.documents.add_chunks(document.id, chunks)
            await repositories.audit.append(
                AuditEvent(
                    actor_id=actor_id,
                    action="document.ingested",
                    entity_type="document",
                    entity_id=str(document.id),
                    payload={
                        "workspace_id": str(workspace_id),
                        "title": document.title,
                        "chunks": len(chunks),
                    },
                )
            )
    return IngestResult(document, len(chunks), created=True)


def _already_stored(existing: Document, workspace_id: UUID) -> IngestResult:
    if existing.workspace_id != workspace_id:
        raise DuplicateError(f"document id {existing.id} is already used in another workspace")
    return IngestResult(existing, chunks_written=0, created=False)


__all__ = ["IngestResult", "ingest_document", "stable_document_id"]
