"""The Firestore chat history: collection ``chat_messages``, one document per message."""

from __future__ import annotations

import builtins
from datetime import datetime
from uuid import UUID

from google.cloud.firestore_v1 import FieldFilter

from repokit.domain.entities import ChatMessage
from repokit.domain.paging import validate_limit
from repokit.domain.ports import ChatHistoryPort
from repokit.domain.query import And, Compare, FieldRef, FilterNode
from repokit.infrastructure.firestore.codec import CHATS
from repokit.infrastructure.firestore.queries import listing
from repokit.infrastructure.firestore.records import insert_all
from repokit.infrastructure.firestore.scope import Scope, Step, collection_path
from repokit.infrastructure.firestore.tables import CHATS_COLLECTION
from repokit.infrastructure.firestore.writes import MAX_COMMIT_WRITES, Write
from repokit.infrastructure.memory.listing import as_utc


class FirestoreChatHistory(ChatHistoryPort):
    """Chat messages; a session's are found by ``session_id``."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def append(self, message: ChatMessage) -> ChatMessage:
        """Record a message; a repeated id raises ``DuplicateError``."""
        stored = message.model_copy(deep=True)
        await self._scope.run(
            lambda step: insert_all(step, CHATS_COLLECTION, "chat message", [stored], CHATS.encode)
        )
        return stored

    async def list_session(
        self, session_id: UUID, limit: int = 50, before: datetime | None = None
    ) -> builtins.list[ChatMessage]:
        """The newest ``limit`` messages created before ``before``, oldest first, ties by id."""
        validate_limit(limit)
        clauses: list[FilterNode] = [Compare(FieldRef("session_id"), "$eq", session_id)]
        if before is not None:
            clauses.append(Compare(FieldRef("created_at"), "$lt", as_utc(before, "before")))
        node = clauses[0] if len(clauses) == 1 else And(tuple(clauses))
        newest = await self._scope.reader().select(
            listing(
                self._scope.client.db.collection(CHATS_COLLECTION),
                CHATS,
                node,
                order="created_at",
                order_value=lambda message: message.created_at,
                descending=True,
            ),
            limit,
        )
        return newest[::-1]

    async def delete_session(self, session_id: UUID) -> int:
        """Delete a session's messages; returns how many there were."""
        collection = self._scope.client.db.collection(CHATS_COLLECTION)
        wanted = str(session_id)
        query = collection.where(filter=FieldFilter("session_id", "==", wanted))

        async def step(tx: Step) -> tuple[int, builtins.list[Write]]:
            found = await tx.documents(
                query, collection_path(collection), lambda data: data.get("session_id") == wanted
            )
            writes = [Write(ref, None) for ref, _ in found]
            if len(writes) <= MAX_COMMIT_WRITES or tx.in_unit:
                tx.write(writes)
                return len(writes), []
            return len(writes), writes

        deleted, large = await self._scope.run(step)
        if large:
            await self._scope.write_in_batches(large)
        return deleted


__all__ = ["FirestoreChatHistory"]
