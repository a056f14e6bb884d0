"""Contract: the audit log — append-only, keyset pages by entity, actor and time."""

from __future__ import annotations

import pytest

from repokit.domain.entities import AuditEvent
from repokit.domain.errors import DuplicateError, InvalidQueryError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.samples import at, uid

ANN, BOB = uid(101), uid(102)


async def stored_events(store: StorePort) -> None:
    """Six events: (action, actor, entity, occurred_at second), ids in occurrence order."""
    rows = [
        ("e1", ANN, ("document", "d1"), 0),
        ("e2", BOB, ("document", "d1"), 1),
        ("e3", ANN, ("workspace", "w1"), 1),
        ("e4", None, ("document", "d2"), 2),
        ("e5", ANN, ("document", "d1"), 3),
        ("e6", BOB, ("user", "u1"), 4),
    ]
    for number, (action, actor, (entity_type, entity_id), second) in enumerate(rows, 1):
        await store.audit.append(
            AuditEvent(
                id=uid(number),
                action=action,
                actor_id=actor,
                entity_type=entity_type,
                entity_id=entity_id,
                occurred_at=at(second),
            )
        )


async def actions(store: StorePort, **criteria: object) -> list[str]:
    """The actions of every matching event, walking all pages of two."""
    found: list[str] = []
    cursor: str | None = None
    while True:
        page = await store.audit.page(2, cursor, **criteria)  # type: ignore[arg-type]
        found.extend(event.action for event in page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


class AuditContract(ContractMixin):
    """``store.audit``: ``append`` and ``page`` with its criteria."""

    async def test_append_returns_the_event_as_stored(self, store: StorePort) -> None:
        event = AuditEvent(
            actor_id=ANN, action="shared", entity_type="workspace", entity_id="w", payload={"a": 1}
        )
        stored = await store.audit.append(event)
        assert stored == event
        assert (await store.audit.page()).items == [event]

    async def test_a_repeated_event_id_raises_duplicate_error(self, store: StorePort) -> None:
        event = await store.audit.append(AuditEvent(action="a", entity_type="t", entity_id="1"))
        with pytest.raises(DuplicateError):
            await store.audit.append(
                AuditEvent(id=event.id, action="b", entity_type="t", entity_id="2")
            )
        assert [e.action for e in (await store.audit.page()).items] == ["a"]

    async def test_pages_follow_occurred_at_then_id(self, store: StorePort) -> None:
        await stored_events(store)
        assert await actions(store) == ["e1", "e2", "e3", "e4", "e5", "e6"]

    async def test_events_sharing_a_timestamp_are_neither_lost_nor_repeated(
        self, store: StorePort
    ) -> None:
        for number in (5, 2, 4, 1, 3):
            await store.audit.append(
                AuditEvent(
                    id=uid(number),
                    action=f"a{number}",
                    entity_type="t",
                    entity_id="x",
                    occurred_at=at(0),
                )
            )
        assert await actions(store) == ["a1", "a2", "a3", "a4", "a5"]

    async def test_page_by_entity(self, store: StorePort) -> None:
        await stored_events(store)
        assert await actions(store, entity_type="document", entity_id="d1") == ["e1", "e2", "e5"]
        assert await actions(store, entity_type="document") == ["e1", "e2", "e4", "e5"]
        assert await actions(store, entity_id="w1") == ["e3"]

    async def test_page_by_actor(self, store: StorePort) -> None:
        await stored_events(store)
        assert await actions(store, actor_id=ANN) == ["e1", "e3", "e5"]
        assert await actions(store, actor_id=uid(999)) == []

    async def test_since_is_inclusive(self, store: StorePort) -> None:
        await stored_events(store)
        assert await actions(store, since=at(3)) == ["e5", "e6"]

    async def test_until_is_exclusive(self, store: StorePort) -> None:
        await stored_events(store)
        assert await actions(store, until=at(1)) == ["e1"]

    async def test_all_criteria_combine_with_and(self, store: StorePort) -> None:
        await stored_events(store)
        found = await actions(store, entity_type="document", actor_id=ANN, since=at(1), until=at(4))
        assert found == ["e5"]

    async def test_the_last_audit_page_has_no_next_cursor(self, store: StorePort) -> None:
        await stored_events(store)
        first = await store.audit.page(4)
        assert first.next_cursor is not None
        last = await store.audit.page(4, first.next_cursor)
        assert ([e.action for e in last.items], last.next_cursor) == (["e5", "e6"], None)

    async def test_a_tampered_audit_cursor_raises_invalid_query_error(
        self, store: StorePort
    ) -> None:
        await stored_events(store)
        cursor = (await store.audit.page(2)).next_cursor
        assert cursor is not None
        with pytest.raises(InvalidQueryError):
            await store.audit.page(2, cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB"))

    async def test_audit_page_rejects_a_bad_limit(self, store: StorePort) -> None:
        with pytest.raises(InvalidQueryError):
            await store.audit.page(-1)
        with pytest.raises(InvalidQueryError):
            await store.audit.page(10_001)
