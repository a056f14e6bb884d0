"""Chat history on SQL."""

from __future__ import annotations

import builtins
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, select

from repokit.domain.entities import ChatMessage
from repokit.domain.paging import validate_limit
from repokit.domain.ports import ChatHistoryPort
from repokit.infrastructure.sql import tables
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.errors import ErrorContext
from repokit.infrastructure.sql.repository import as_datetime, as_uuid
from repokit.infrastructure.sql.scopes import Scope

_messages = tables.chat_messages


class SqlChatHistory(ChatHistoryPort):
    """Messages of chat sessions, read newest-window-first and returned oldest first."""

    def __init__(self, scope: Scope, catalog: Catalog) -> None:
        self._scope = scope
        self._statements = catalog.chats
        self._mapping = catalog.chats.mapping

    async def append(self, message: ChatMessage) -> ChatMessage:
        """Record ``message``; a repeated id raises ``DuplicateError``."""
        context = ErrorContext(duplicate=f"chat message {message.id} already exists")
        params = self._mapping.encode(message)
        async with self._scope.write(context, atomic=False) as connection:
            await connection.fetch_all(self._statements.insert.sql, params)
        return message.model_copy()

    async def list_session(
        self, session_id: UUID, limit: int = 50, before: datetime | None = None
    ) -> builtins.list[ChatMessage]:
        """The newest ``limit`` messages created before ``before``, oldest first, ties by id."""
        validate_limit(limit)
        statement = select(_messages).where(
            _messages.c.session_id == as_uuid(session_id, "session_id")
        )
        if before is not None:
            statement = statement.where(_messages.c.created_at < as_datetime(before, "before"))
        statement = statement.order_by(_messages.c.created_at.desc(), _messages.c.id.desc()).limit(
            limit
        )
        async with self._scope.read() as connection:
            rows = (await connection.run(statement)).all()
        return [self._mapping.from_row(row) for row in reversed(rows)]

    async def delete_session(self, session_id: UUID) -> int:
        """Delete the session's messages; how many there were."""
        statement = delete(_messages).where(
            _messages.c.session_id == as_uuid(session_id, "session_id")
        )
        async with self._scope.write(atomic=False) as connection:
            result = await connection.run(statement)
        return int(result.rowcount)


__all__ = ["SqlChatHistory"]
