"""Use case: semantic search over the workspaces a user may read."""

from __future__ import annotations

from uuid import UUID

from repokit.application.access import readable_workspaces, require_role
from repokit.application.embedding import EmbedderPort
from repokit.application.results import SearchHit
from repokit.domain.entities import Document, Role
from repokit.domain.errors import InvalidQueryError
from repokit.domain.ports import StorePort
from repokit.domain.query import Filter


async def search(
    store: StorePort,
    embedder: EmbedderPort,
    *,
    user_id: UUID,
    query: str,
    k: int = 5,
    workspace_id: UUID | None = None,
    where: Filter | None = None,
) -> list[SearchHit]:
    """The ``k`` chunks closest to ``query`` in workspaces where the user is at least VIEWER.

    ``workspace_id`` narrows the search to one of them; ``where`` filters the
    documents (see :mod:`repokit.domain.query`). A user with no workspace finds nothing.

    Raises:
        PermissionDeniedError: ``workspace_id`` is given and the user cannot read it.
        InvalidQueryError: the query has no words to match, or ``k``/``where`` is invalid.
    """
    if workspace_id is not None:
        await require_role(
            store, user_id=user_id, workspace_id=workspace_id, needed=Role.VIEWER, to="search it"
        )
        workspace_ids = [workspace_id]
    else:
        workspace_ids = await readable_workspaces(store, user_id)
    [vector] = embedder.embed([query])
    if not any(vector):
        raise InvalidQueryError(f"the search query {query[:60]!r} has no words to match")
    if not workspace_ids:
        return []
    scored = await store.documents.search_similar(
        vector, k=k, workspace_ids=workspace_ids, where=where
    )
    hits: list[SearchHit] = []
    documents: dict[UUID, Document | None] = {}
    for item in scored:
        document_id = item.chunk.document_id
        if document_id not in documents:
            documents[document_id] = await store.documents.get_by_id(document_id)
        document = documents[document_id]
        # A document deleted between the two reads is simply not a hit any more.
        if document is not None:
            hits.append(SearchHit(document, item.chunk, item.score))
    return hits


__all__ = ["SearchHit", "search"]
