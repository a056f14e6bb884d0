"""The DynamoDB audit log: append-only, in the ``AUDIT`` partition of G1 by (occurred_at, id)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from repokit.domain.entities import AuditEvent
from repokit.domain.paging import KeysetPosition, Page, encode_cursor, validate_limit
from repokit.domain.ports import AuditLogPort
from repokit.infrastructure.dynamodb.items import position, ts
from repokit.infrastructure.dynamodb.layout import AUDIT, G1, audit_attrs, audit_key
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import EntityKind, Scope, insert, read_entity
from repokit.infrastructure.memory.listing import as_utc, as_uuid, cursor_position

AUDIT_EVENT = EntityKind("audit event", AuditEvent, audit_key, audit_attrs)
_CURSOR_KIND = "audit"


class DynamoAuditLog(AuditLogPort):
    """Audit events; no cascade ever deletes them."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def append(self, event: AuditEvent) -> AuditEvent:
        """Record an event; a repeated id raises ``DuplicateError``."""
        return await insert(self._scope, AUDIT_EVENT, event)

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
        """Events in (occurred_at, id) order; ``since`` inclusive, ``until`` exclusive.

        The time range and the cursor bound the index query; the other criteria
        are checked in-process while reading on until the page is full.
        """
        validate_limit(limit)
        after = cursor_position(_CURSOR_KIND, cursor)
        actor = None if actor_id is None else as_uuid(actor_id, "actor_id")
        start = None if since is None else as_utc(since, "since")
        end = None if until is None else as_utc(until, "until")
        lower = None if after is None else position(after.at, after.id)
        if start is not None:
            # "#" sorts below every id character, so this bound keeps every key at `start`'s ms.
            bound = ts(start) + "#"
            lower = bound if lower is None else max(lower, bound)
        upper = None if end is None else ts(end) + "$"
        spec = QuerySpec(partition=AUDIT, index=G1, after=lower, before=upper, page_size=200)
        items: list[AuditEvent] = []
        more = False
        async for item in self._scope.query(spec):
            event = await read_entity(self._scope, AuditEvent, item)
            if not (
                (entity_type is None or event.entity_type == entity_type)
                and (entity_id is None or event.entity_id == entity_id)
                and (actor is None or event.actor_id == actor)
                and (start is None or event.occurred_at >= start)
                and (end is None or event.occurred_at < end)
                and (after is None or (event.occurred_at, event.id) > (after.at, after.id))
            ):
                continue
            if len(items) == limit:
                more = True
                break
            items.append(event)
        next_cursor = None
        if more:
            last = (
                KeysetPosition(items[-1].occurred_at, items[-1].id)
                if items
                else after or KeysetPosition(datetime.min.replace(tzinfo=UTC), UUID(int=0))
            )
            next_cursor = encode_cursor(_CURSOR_KIND, last)
        return Page[AuditEvent](items=items, next_cursor=next_cursor)
