"""Contract: the store itself — capabilities, ``migrate``, ``close`` and closed-store errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from repokit.domain.entities import AuditEvent, ChatMessage, Role, Workspace
from repokit.domain.errors import StoreClosedError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.samples import MIN_DIM, basis, chunk, document, uid, user
from repokit.testing.stored import stored_document

Call = Callable[[StorePort], Awaitable[Any]]

PORT_CALLS: dict[str, Call] = {
    "documents.save": lambda s: s.documents.save(document()),
    "documents.save_many": lambda s: s.documents.save_many([document()]),
    "documents.get_by_id": lambda s: s.documents.get_by_id(uid(1)),
    "documents.list": lambda s: s.documents.list(),
    "documents.page": lambda s: s.documents.page(),
    "documents.count": lambda s: s.documents.count(),
    "documents.delete": lambda s: s.documents.delete(uid(1)),
    "documents.add_chunks": lambda s: s.documents.add_chunks(
        uid(1), [chunk(document(id=uid(1)), 0, basis(s.embedding_dim, 0))]
    ),
    "documents.get_chunks": lambda s: s.documents.get_chunks(uid(1)),
    "documents.search_similar": lambda s: s.documents.search_similar(basis(s.embedding_dim, 0)),
    "users.save": lambda s: s.users.save(user()),
    "users.get_by_id": lambda s: s.users.get_by_id(uid(1)),
    "users.find_by_email": lambda s: s.users.find_by_email("ann@example.com"),
    "users.list": lambda s: s.users.list(),
    "users.delete": lambda s: s.users.delete(uid(1)),
    "workspaces.save": lambda s: s.workspaces.save(Workspace(name="w", owner_id=uid(1))),
    "workspaces.get_by_id": lambda s: s.workspaces.get_by_id(uid(1)),
    "workspaces.list": lambda s: s.workspaces.list(),
    "workspaces.delete": lambda s: s.workspaces.delete(uid(1)),
    "acl.grant": lambda s: s.acl.grant(uid(1), uid(2), Role.VIEWER),
    "acl.revoke": lambda s: s.acl.revoke(uid(1), uid(2)),
    "acl.role_of": lambda s: s.acl.role_of(uid(1), uid(2)),
    "acl.members": lambda s: s.acl.members(uid(1)),
    "acl.workspaces_of": lambda s: s.acl.workspaces_of(uid(2)),
    "audit.append": lambda s: s.audit.append(
        AuditEvent(action="a", entity_type="t", entity_id="1")
    ),
    "audit.page": lambda s: s.audit.page(),
    "chats.append": lambda s: s.chats.append(
        ChatMessage(session_id=uid(1), role="user", content="hi")
    ),
    "chats.list_session": lambda s: s.chats.list_session(uid(1)),
    "chats.delete_session": lambda s: s.chats.delete_session(uid(1)),
    "migrate": lambda s: s.migrate(),
}
"""One call of every port method (and ``migrate``), by name."""


class LifecycleContract(ContractMixin):
    """What a store says about itself, and how it behaves once closed."""

    async def test_the_store_describes_itself(self, store: StorePort) -> None:
        assert isinstance(store.capabilities.backend, str)
        assert store.capabilities.backend
        assert isinstance(store.embedding_dim, int)
        assert store.embedding_dim >= MIN_DIM

    async def test_migrate_runs_again_and_keeps_the_data(self, store: StorePort) -> None:
        saved = await stored_document(store, "survivor")
        await store.migrate()
        await store.migrate()
        assert await store.documents.get_by_id(saved.id) == saved

    @pytest.mark.parametrize("call", sorted(PORT_CALLS))
    async def test_every_call_on_a_closed_store_raises_store_closed_error(
        self, store: StorePort, call: str
    ) -> None:
        await store.close()
        with pytest.raises(StoreClosedError):
            await PORT_CALLS[call](store)

    async def test_a_unit_of_work_on_a_closed_store_raises_store_closed_error(
        self, store: StorePort
    ) -> None:
        await store.close()
        with pytest.raises(StoreClosedError):
            async with store.unit_of_work() as uow:
                await uow.documents.count()

    async def test_close_is_idempotent(self, store: StorePort) -> None:
        await store.close()
        await store.close()
        with pytest.raises(StoreClosedError):
            await store.documents.count()
