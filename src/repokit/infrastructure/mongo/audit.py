"""The MongoDB audit log: append-only, paged by (occurred_at, id)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from repokit.domain.entities import AuditEvent
from repokit.domain.errors import InvalidQueryError
from repokit.domain.paging import Page, validate_limit
from repokit.domain.ports import AuditLogPort
from repokit.infrastructure.mongo.codec import AUDIT
from repokit.infrastructure.mongo.errors import ErrorContext
from repokit.infrastructure.mongo.filters import time_bound
from repokit.infrastructure.mongo.paging import after, and_, cursor_position, page_items
from repokit.infrastructure.mongo.repository import MongoRepository, find_all, key
from repokit.infrastructure.mongo.scopes import Scope

_CURSOR_KIND = "audit"


def _bound(op: str, value: Any, what: str) -> tuple[str, datetime]:
    if not isinstance(value, datetime):
        raise InvalidQueryError(f"{what} must be a datetime, got {value!r}")
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return time_bound(op, moment)


class MongoAuditLog(MongoRepository[AuditEvent], AuditLogPort):
    """Audit events in ``audit_events``; no cascade ever deletes them."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, AUDIT)

    async def append(self, event: AuditEvent) -> AuditEvent:
        """Record an event; a repeated id raises ``DuplicateError``."""
        return await self._insert(
            event, ErrorContext(duplicate=f"audit event {event.id} already exists")
        )

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
        start = cursor_position(_CURSOR_KIND, cursor)
        criteria: dict[str, Any] = {}
        if entity_type is not None:
            criteria["entity_type"] = entity_type
        if entity_id is not None:
            criteria["entity_id"] = entity_id
        if actor_id is not None:
            criteria["actor_id"] = key(actor_id, "actor_id")
        bounds = []
        if since is not None:
            bounds.append(dict([_bound("$gte", since, "since")]))
        if until is not None:
            bounds.append(dict([_bound("$lt", until, "until")]))
        windows = [{"occurred_at": bound} for bound in bounds]
        query = and_(criteria, *windows, after("occurred_at", start))
        async with self._scope.read() as session:
            docs = await find_all(
                self._collection,
                query,
                session,
                sort=[("occurred_at", 1), ("_id", 1)],
                limit=limit + 1,
            )
        items, next_cursor = page_items(
            docs, "occurred_at", kind=_CURSOR_KIND, limit=limit, start=start, decode=AUDIT.decode
        )
        return Page[AuditEvent](items=items, next_cursor=next_cursor)
