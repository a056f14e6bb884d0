"""The in-memory chat history."""

from __future__ import annotations

import builtins
from datetime import datetime
from uuid import UUID

from repokit.domain.entities import ChatMessage
from repokit.domain.paging import validate_limit
from repokit.domain.ports import ChatHistoryPort
from repokit.infrastructure.memory.listing import as_utc
from repokit.infrastructure.memory.rows import delete_row, insert_entity, to_entity
from repokit.infrastructure.memory.schema import CHATS
from repokit.infrastructure.memory.transaction import TransactionScope


class MemoryChatHistory(ChatHistoryPort):
    """Chat messages held in memory, keyed by message id."""

    def __init__(self, scope: TransactionScope) -> None:
        self._scope = scope

    async def append(self, message: ChatMessage) -> ChatMessage:
        """Record a message; a repeated id raises ``DuplicateError``."""
        with self._scope.transaction() as transaction:
            return insert_entity(transaction, CHATS, message)

    async def list_session(
        self, session_id: UUID, limit: int = 50, before: datetime | None = None
    ) -> builtins.list[ChatMessage]:
        """The newest ``limit`` messages created before ``before``, oldest first, ties by id."""
        with self._scope.transaction() as transaction:
            validate_limit(limit)
            end = None if before is None else as_utc(before, "before")
            messages = sorted(
                (
                    message
                    for message in transaction.rows(CHATS).values()
                    if message.session_id == session_id
                    and (end is None or message.created_at < end)
                ),
                key=lambda message: (message.created_at, message.id),
            )
            newest = messages[len(messages) - limit :]
            return [to_entity(message) for message in newest]

    async def delete_session(self, session_id: UUID) -> int:
        """Delete a session's messages; returns how many there were."""
        with self._scope.transaction() as transaction:
            doomed = [m.id for m in transaction.rows(CHATS).values() if m.session_id == session_id]
            for message_id in doomed:
                delete_row(transaction, CHATS, message_id)
            return len(doomed)
