"""The Firestore audit log: collection ``audit_events``, append-only, paged by (occurred_at, id).

The criteria are equality filters Firestore answers, the time range a range on the
order field; a page reads ``limit + 1`` events.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from repokit.domain.entities import AuditEvent
from repokit.domain.paging import KeysetPosition, Page, encode_cursor, validate_limit
from repokit.domain.ports import AuditLogPort
from repokit.domain.query import And, Compare, FieldRef, FilterNode
from repokit.infrastructure.firestore.codec import AUDIT
from repokit.infrastructure.firestore.queries import listing
from repokit.infrastructure.firestore.records import insert_all
from repokit.infrastructure.firestore.scope import Scope
from repokit.infrastructure.firestore.tables import AUDIT_COLLECTION
from repokit.infrastructure.memory.listing import as_utc, as_uuid, cursor_position

_CURSOR_KIND = "audit"
_START = KeysetPosition(datetime.min.replace(tzinfo=UTC), UUID(int=0))


class FirestoreAuditLog(AuditLogPort):
    """Audit events; no cascade ever deletes them."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def append(self, event: AuditEvent) -> AuditEvent:
        """Record an event; a repeated id raises ``DuplicateError``."""
        stored = event.model_copy(deep=True)
        await self._scope.run(
            lambda step: insert_all(step, AUDIT_COLLECTION, "audit event", [stored], AUDIT.encode)
        )
        return stored

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
        """Events in (occurred_at, id) order; ``since`` inclusive, ``until`` exclusive."""
        validate_limit(limit)
        after = cursor_position(_CURSOR_KIND, cursor)
        clauses: list[FilterNode] = []
        if entity_type is not None:
            clauses.append(Compare(FieldRef("entity_type"), "$eq", entity_type))
        if entity_id is not None:
            clauses.append(Compare(FieldRef("entity_id"), "$eq", entity_id))
        if actor_id is not None:
            clauses.append(Compare(FieldRef("actor_id"), "$eq", as_uuid(actor_id, "actor_id")))
        if since is not None:
            clauses.append(Compare(FieldRef("occurred_at"), "$gte", as_utc(since, "since")))
        if until is not None:
            clauses.append(Compare(FieldRef("occurred_at"), "$lt", as_utc(until, "until")))
        node = None if not clauses else clauses[0] if len(clauses) == 1 else And(tuple(clauses))
        rows = await self._scope.reader().select(
            listing(
                self._scope.client.db.collection(AUDIT_COLLECTION),
                AUDIT,
                node,
                order="occurred_at",
                order_value=lambda event: event.occurred_at,
                after=None if after is None else (after.at, after.id),
            ),
            limit + 1,
        )
        items = rows[:limit]
        next_cursor = None
        if len(rows) > limit:
            last = KeysetPosition(items[-1].occurred_at, items[-1].id) if items else after or _START
            next_cursor = encode_cursor(_CURSOR_KIND, last)
        return Page[AuditEvent](items=items, next_cursor=next_cursor)


__all__ = ["FirestoreAuditLog"]
