"""The append-only audit log on SQL."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, select

from repokit.domain.entities import AuditEvent
from repokit.domain.errors import InvalidQueryError
from repokit.domain.paging import KeysetPosition, Page, validate_limit
from repokit.domain.ports import AuditLogPort
from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.errors import ErrorContext
from repokit.infrastructure.sql.paging import keyset_page, make_page
from repokit.infrastructure.sql.repository import as_datetime, as_uuid
from repokit.infrastructure.sql.scopes import Scope

PAGE_KIND = "audit"
_events = tables.audit_events


class SqlAuditLog(AuditLogPort):
    """Events in (occurred_at, id) order; never updated, never deleted by a cascade."""

    def __init__(self, scope: Scope, catalog: Catalog) -> None:
        self._scope = scope
        self._statements = catalog.audit
        self._mapping = catalog.audit.mapping

    async def append(self, event: AuditEvent) -> AuditEvent:
        """Record ``event``; a repeated id raises ``DuplicateError``."""
        context = ErrorContext(duplicate=f"audit event {event.id} already exists")
        params = self._mapping.encode(event)
        async with self._scope.write(context, atomic=False) as connection:
            await connection.fetch_all(self._statements.insert.sql, params)
        return event.model_copy()

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
        """Events matching every given criterion; ``since`` inclusive, ``until`` exclusive."""
        validate_limit(limit)
        conditions: list[ColumnElement[bool]] = []
        if entity_type is not None:
            conditions.append(_events.c.entity_type == _text(entity_type, "entity_type"))
        if entity_id is not None:
            conditions.append(_events.c.entity_id == _text(entity_id, "entity_id"))
        if actor_id is not None:
            conditions.append(_events.c.actor_id == as_uuid(actor_id, "actor_id"))
        if since is not None:
            conditions.append(_events.c.occurred_at >= as_datetime(since, "since"))
        if until is not None:
            conditions.append(_events.c.occurred_at < as_datetime(until, "until"))
        statement, after = keyset_page(
            select(_events).where(*conditions),
            _events.c.occurred_at,
            _events.c.id,
            kind=PAGE_KIND,
            cursor=cursor,
            limit=limit,
        )
        async with self._scope.read() as connection:
            rows = (await connection.run(statement)).all()
        items = [self._mapping.from_row(row) for row in rows]
        return make_page(items, limit=limit, kind=PAGE_KIND, position=_position, after=after)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidQueryError(f"{what} must be a string, got {value!r}")
    return value


def _position(event: AuditEvent) -> KeysetPosition:
    return KeysetPosition(event.occurred_at, event.id)


__all__ = ["PAGE_KIND", "SqlAuditLog"]
