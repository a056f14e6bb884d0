"""Use case: delete a document."""

from __future__ import annotations

from uuid import UUID

from repokit.application.access import require_role
from repokit.application.units import write_unit
from repokit.domain.entities import AuditEvent, Role
from repokit.domain.errors import PermissionDeniedError
from repokit.domain.ports import StorePort


async def delete_document(store: StorePort, *, actor_id: UUID, document_id: UUID) -> bool:
    """Delete a document and its chunks, audited; the actor must be at least EDITOR.

    Returns False when no such document exists.

    Raises:
        PermissionDeniedError: the actor is not at least EDITOR of the document's
            workspace, or the document belongs to no workspace.
    """
    async with write_unit(store) as repositories:
        document = await repositories.documents.get_by_id(document_id)
        if document is None:
            return False
        if document.workspace_id is None:
            # No workspace, no ACL: nobody can be shown to hold a role over it.
            raise PermissionDeniedError(
                f"document {document_id} belongs to no workspace; no role allows deleting it"
            )
        await require_role(
            repositories,
            user_id=actor_id,
            workspace_id=document.workspace_id,
            needed=Role.EDITOR,
            to="delete documents",
        )
        deleted = await repositories.documents.delete(document_id)
        if deleted:
            await repositories.audit.append(
                AuditEvent(
                    actor_id=actor_id,
                    action="document.deleted",
                    entity_type="document",
                    entity_id=str(document_id),
                    payload={"workspace_id": str(document.workspace_id), "title": document.title},
                )
            )
    return deleted


__all__ = ["delete_document"]
