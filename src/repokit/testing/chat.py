"""Contract: chat history — the newest window of a session, oldest first."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest

from repokit.domain.entities import ChatMessage
from repokit.domain.errors import DuplicateError, InvalidQueryError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.samples import at, uid

SESSION, OTHER = uid(500), uid(501)


async def stored_session(store: StorePort, session: UUID = SESSION, count: int = 5) -> None:
    """Messages "m0".."m{count-1}", one second apart from ``at(0)``."""
    for index in range(count):
        await store.chats.append(
            ChatMessage(
                session_id=session,
                role="user" if index % 2 == 0 else "assistant",
                content=f"m{index}",
                created_at=at(index),
            )
        )


async def contents(store: StorePort, session: UUID = SESSION, **window: object) -> list[str]:
    """The contents ``list_session`` returns, in its order."""
    found = await store.chats.list_session(session, **window)  # type: ignore[arg-type]
    return [message.content for message in found]


class ChatContract(ContractMixin):
    """``store.chats``: ``append``, ``list_session``, ``delete_session``."""

    async def test_append_returns_the_message_as_stored(self, store: StorePort) -> None:
        message = ChatMessage(
            session_id=SESSION,
            role="tool",
            content="{}",
            tokens_used=17,
            model="m-1",
            cost_usd=Decimal("0.0042"),
        )
        assert await store.chats.append(message) == message
        assert await store.chats.list_session(SESSION) == [message]

    async def test_a_repeated_message_id_raises_duplicate_error(self, store: StorePort) -> None:
        message = await store.chats.append(
            ChatMessage(session_id=SESSION, role="user", content="a")
        )
        with pytest.raises(DuplicateError):
            await store.chats.append(
                ChatMessage(id=message.id, session_id=SESSION, role="user", content="b")
            )
        assert await contents(store) == ["a"]

    async def test_list_session_returns_messages_oldest_first(self, store: StorePort) -> None:
        await stored_session(store)
        assert await contents(store) == ["m0", "m1", "m2", "m3", "m4"]

    async def test_list_session_returns_the_newest_limit_messages(self, store: StorePort) -> None:
        await stored_session(store)
        assert await contents(store, limit=2) == ["m3", "m4"]

    async def test_a_limit_above_the_session_size_returns_every_message(
        self, store: StorePort
    ) -> None:
        await stored_session(store, count=3)
        assert await contents(store, limit=10) == ["m0", "m1", "m2"]

    async def test_before_is_exclusive(self, store: StorePort) -> None:
        await stored_session(store)
        assert await contents(store, limit=2, before=at(3)) == ["m1", "m2"]
        assert await contents(store, before=at(0)) == []

    async def test_messages_sharing_a_timestamp_are_ordered_by_id(self, store: StorePort) -> None:
        for number in (3, 1, 2):
            await store.chats.append(
                ChatMessage(
                    id=uid(number),
                    session_id=SESSION,
                    role="user",
                    content=f"c{number}",
                    created_at=at(0),
                )
            )
        assert await contents(store) == ["c1", "c2", "c3"]
        assert await contents(store, limit=2) == ["c2", "c3"]

    async def test_list_session_keeps_sessions_apart(self, store: StorePort) -> None:
        await stored_session(store, SESSION, 2)
        await stored_session(store, OTHER, 3)
        assert await contents(store) == ["m0", "m1"]
        assert await contents(store, uid(999)) == []

    async def test_list_session_with_limit_zero_returns_nothing(self, store: StorePort) -> None:
        await stored_session(store, count=2)
        assert await contents(store, limit=0) == []

    async def test_list_session_rejects_a_negative_limit(self, store: StorePort) -> None:
        with pytest.raises(InvalidQueryError):
            await store.chats.list_session(SESSION, limit=-1)

    async def test_delete_session_returns_the_number_deleted(self, store: StorePort) -> None:
        await stored_session(store, SESSION, 4)
        await stored_session(store, OTHER, 1)
        assert await store.chats.delete_session(SESSION) == 4
        assert await contents(store) == []
        assert await contents(store, OTHER) == ["m0"]
        assert await store.chats.delete_session(SESSION) == 0
