"""The DynamoDB chat history: messages in their session's G1 partition, by (created_at, id)."""

from __future__ import annotations

import builtins
from datetime import datetime
from uuid import UUID

from repokit.domain.entities import ChatMessage
from repokit.domain.paging import validate_limit
from repokit.domain.ports import ChatHistoryPort
from repokit.infrastructure.dynamodb.items import key_of, ts
from repokit.infrastructure.dynamodb.layout import G1, chat_attrs, chat_key, session_messages
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import EntityKind, Scope, insert, read_entity
from repokit.infrastructure.dynamodb.writes import MAX_TRANSACTION_ITEMS, delete
from repokit.infrastructure.memory.listing import as_utc

CHAT_MESSAGE = EntityKind("chat message", ChatMessage, chat_key, chat_attrs)


class DynamoChatHistory(ChatHistoryPort):
    """Chat messages keyed by id, listed per session through G1."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def append(self, message: ChatMessage) -> ChatMessage:
        """Record a message; a repeated id raises ``DuplicateError``."""
        return await insert(self._scope, CHAT_MESSAGE, message)

    async def list_session(
        self, session_id: UUID, limit: int = 50, before: datetime | None = None
    ) -> builtins.list[ChatMessage]:
        """The newest ``limit`` messages created before ``before``, oldest first, ties by id.

        One descending index query that stops after ``limit`` messages.
        """
        validate_limit(limit)
        end = None if before is None else as_utc(before, "before")
        upper = None if end is None else ts(end) + "$"
        spec = QuerySpec(
            partition=session_messages(session_id),
            index=G1,
            before=upper,
            descending=True,
            page_size=min(max(limit, 1) + 1, 1000),
        )
        newest: builtins.list[ChatMessage] = []
        if limit == 0:
            return newest
        async for item in self._scope.query(spec):
            message = await read_entity(self._scope, ChatMessage, item)
            if end is not None and message.created_at >= end:
                continue
            newest.append(message)
            if len(newest) == limit:
                break
        newest.reverse()
        return newest

    async def delete_session(self, session_id: UUID) -> int:
        """Delete a session's messages; returns how many there were."""
        spec = QuerySpec(partition=session_messages(session_id), index=G1)
        writes = [delete(key_of(item), "chat message") async for item in self._scope.query(spec)]
        if self._scope.in_unit or len(writes) <= MAX_TRANSACTION_ITEMS:
            await self._scope.apply(writes)
        else:
            await self._scope.apply_large(writes, undo=False)
        return len(writes)
