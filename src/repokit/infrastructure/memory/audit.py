"""The in-memory audit log: append-only, paged by (occurred_at, id)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from repokit.domain.entities import AuditEvent
from repokit.domain.paging import Page, validate_limit
from repokit.domain.ports import AuditLogPort
from repokit.infrastructure.memory.listing import as_utc, as_uuid, cursor_position, keyset_window
from repokit.infrastructure.memory.rows import insert_entity
from repokit.infrastructure.memory.schema import AUDIT
from repokit.infrastructure.memory.transaction import TransactionScope

_CURSOR_KIND = "audit"


class MemoryAuditLog(AuditLogPort):
    """Audit events held in memory; no cascade ever deletes them."""

    def __init__(self, scope: TransactionScope) -> None:
        self._scope = scope

    async def append(self, event: AuditEvent) -> AuditEvent:
        """Record an event; a repeated id raises ``DuplicateError``."""
        with self._scope.transaction() as transaction:
            return insert_entity(transaction, AUDIT, event)

    async def page(
        self,
        limit: int = 50,
        cursor: str | None = None,
        *,
        entity_type: str | None = None,
        entity_id: str | None = None,
        actor_id: UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page[AuditEvent]:
        """Events in (occurred_at, id) order; every criterion given must hold.

        ``since`` is inclusive and ``until`` exclusive.
        """
        with self._scope.transaction() as transaction:
            validate_limit(limit)
            after = cursor_position(_CURSOR_KIND, cursor)
            actor = None if actor_id is None else as_uuid(actor_id, "actor_id")
            start = None if since is None else as_utc(since, "since")
            end = None if until is None else as_utc(until, "until")
            events = [
                event
                for event in transaction.rows(AUDIT).values()
                if (entity_type is None or event.entity_type == entity_type)
                and (entity_id is None or event.entity_id == entity_id)
                and (actor is None or event.actor_id == actor)
                and (start is None or event.occurred_at >= start)
                and (end is None or event.occurred_at < end)
            ]
            items, next_cursor = keyset_window(
                events,
                lambda event: (event.occurred_at, event.id),
                kind=_CURSOR_KIND,
                limit=limit,
                after=after,
            )
            return Page[AuditEvent](items=items, next_cursor=next_cursor)
