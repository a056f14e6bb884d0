"""The MongoDB chat history."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from repokit.domain.entities import ChatMessage
from repokit.domain.errors import InvalidQueryError
from repokit.domain.paging import validate_limit
from repokit.domain.ports import ChatHistoryPort
from repokit.infrastructure.mongo.codec import CHATS
from repokit.infrastructure.mongo.errors import ErrorContext
from repokit.infrastructure.mongo.filters import time_bound
from repokit.infrastructure.mongo.repository import MongoRepository, find_all, key
from repokit.infrastructure.mongo.scopes import Scope


class MongoChatHistory(MongoRepository[ChatMessage], ChatHistoryPort):
    """Chat messages in ``chat_messages``."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, CHATS)

    async def append(self, message: ChatMessage) -> ChatMessage:
        """Record a message; a repeated id raises ``DuplicateError``."""
        context = ErrorContext(duplicate=f"chat message {message.id} already exists")
        return await self._insert(message, context)

    async def list_session(
        self, session_id: UUID, limit: int = 50, before: datetime | None = None
    ) -> builtins.list[ChatMessage]:
        """The newest ``limit`` messages created before ``before``, oldest first, ties by id."""
        validate_limit(limit)
        query: dict[str, Any] = {"session_id": key(session_id, "session_id")}
        if before is not None:
            if not isinstance(before, datetime):
                raise InvalidQueryError(f"before must be a datetime, got {before!r}")
            moment = before.replace(tzinfo=UTC) if before.tzinfo is None else before
            bound_op, bound = time_bound("$lt", moment.astimezone(UTC))
            query["created_at"] = {bound_op: bound}
        async with self._scope.read() as session:
            docs = await find_all(
                self._collection,
                query,
                session,
                sort=[("created_at", -1), ("_id", -1)],
                limit=limit,
            )
        return [CHATS.decode(doc) for doc in reversed(docs)]

    async def delete_session(self, session_id: UUID) -> int:
        """Delete a session's messages; returns how many there were."""
        wanted = key(session_id, "session_id")
        async with self._scope.write() as session:
            result = await self._collection.delete_many({"session_id": wanted}, session=session)
        return result.deleted_count
