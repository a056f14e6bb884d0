"""Contract: units of work — commit, rollback, mid-block control, misuse and isolation."""

from __future__ import annotations

import pytest

from repokit.domain.entities import AuditEvent, ChatMessage, Role, Workspace
from repokit.domain.errors import CapabilityError, DuplicateError, UnitOfWorkError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.bridge import Event, pause, run_together
from repokit.testing.samples import basis, chunk, document, uid, user
from repokit.testing.stored import stored_document


class Boom(Exception):
    """The exception the rollback tests raise inside a block."""


def require_transactions(store: StorePort) -> None:
    """Skip when the store says it has no units of work (tested by the capability test)."""
    if not store.capabilities.transactions:
        pytest.skip("the store does not advertise transactions")


async def titles_in_store(store: StorePort) -> list[str]:
    """Titles of every committed document, as the store's own repositories see them."""
    return [doc.title for doc in await store.documents.list(0, 10_000)]


class UnitOfWorkContract(ContractMixin):
    """``store.unit_of_work()`` as an async context manager."""

    async def test_units_of_work_exist_exactly_when_transactions_are_advertised(
        self, store: StorePort
    ) -> None:
        if store.capabilities.transactions:
            async with store.unit_of_work() as uow:
                await uow.documents.count()
        else:
            with pytest.raises(CapabilityError):
                async with store.unit_of_work() as uow:
                    await uow.documents.count()

    async def test_a_clean_exit_commits(self, store: StorePort) -> None:
        require_transactions(store)
        async with store.unit_of_work() as uow:
            await uow.documents.save(document("kept"))
        assert await titles_in_store(store) == ["kept"]

    async def test_a_unit_reads_its_own_writes(self, store: StorePort) -> None:
        require_transactions(store)
        async with store.unit_of_work() as uow:
            saved = await uow.documents.save(document("mine"))
            assert await uow.documents.get_by_id(saved.id) == saved
            assert await uow.documents.count() == 1

    async def test_an_exception_rolls_back_and_propagates(self, store: StorePort) -> None:
        require_transactions(store)
        with pytest.raises(Boom):  # noqa: PT012 - the block is what is tested
            async with store.unit_of_work() as uow:
                await uow.documents.save(document("lost"))
                raise Boom
        assert await titles_in_store(store) == []

    async def test_a_failed_save_rule_rolls_back_the_whole_block(self, store: StorePort) -> None:
        require_transactions(store)
        existing = await stored_document(store, "existing")
        with pytest.raises(DuplicateError):  # noqa: PT012 - the block is what is tested
            async with store.unit_of_work() as uow:
                await uow.documents.save(document("lost"))
                await uow.documents.save(document("clash", id=existing.id))
        assert await titles_in_store(store) == ["existing"]

    async def test_rollback_restores_updates_and_deletes(self, store: StorePort) -> None:
        require_transactions(store)
        updated = await stored_document(store, "updated")
        deleted = await stored_document(store, "deleted")
        kept_chunk = chunk(deleted, 0, basis(store.embedding_dim, 0))
        await store.documents.add_chunks(deleted.id, [kept_chunk])
        with pytest.raises(Boom):  # noqa: PT012 - the block is what is tested
            async with store.unit_of_work() as uow:
                await uow.documents.save(updated.model_copy(update={"title": "changed"}))
                await uow.documents.delete(deleted.id)
                raise Boom
        assert await store.documents.get_by_id(updated.id) == updated
        assert await store.documents.get_by_id(deleted.id) == deleted
        assert [c.id for c in await store.documents.get_chunks(deleted.id)] == [kept_chunk.id]

    async def test_commit_then_rollback_mid_block(self, store: StorePort) -> None:
        require_transactions(store)
        async with store.unit_of_work() as uow:
            await uow.documents.save(document("committed"))
            await uow.commit()
            await uow.documents.save(document("rolled back"))
            await uow.rollback()
        assert await titles_in_store(store) == ["committed"]

    async def test_the_block_goes_on_after_a_rollback(self, store: StorePort) -> None:
        require_transactions(store)
        async with store.unit_of_work() as uow:
            await uow.documents.save(document("dropped"))
            await uow.rollback()
            assert await uow.documents.count() == 0
            await uow.documents.save(document("after rollback"))
        assert await titles_in_store(store) == ["after rollback"]

    async def test_an_exception_after_a_mid_block_commit_keeps_what_was_committed(
        self, store: StorePort
    ) -> None:
        require_transactions(store)
        with pytest.raises(Boom):  # noqa: PT012 - the block is what is tested
            async with store.unit_of_work() as uow:
                await uow.documents.save(document("committed"))
                await uow.commit()
                await uow.documents.save(document("lost"))
                raise Boom
        assert await titles_in_store(store) == ["committed"]

    async def test_every_repository_commits_together(self, store: StorePort) -> None:
        require_transactions(store)
        async with store.unit_of_work() as uow:
            owner = await uow.users.save(user("owner"))
            space = await uow.workspaces.save(Workspace(name="w", owner_id=owner.id))
            await uow.acl.grant(space.id, owner.id, Role.OWNER)
            doc = await uow.documents.save(document("d", workspace_id=space.id))
            await uow.documents.add_chunks(doc.id, [chunk(doc, 0, basis(store.embedding_dim, 0))])
            await uow.audit.append(AuditEvent(action="a", entity_type="t", entity_id="1"))
            await uow.chats.append(ChatMessage(session_id=uid(1), role="user", content="hi"))
        assert await store.users.get_by_id(owner.id) == owner
        assert await store.workspaces.get_by_id(space.id) == space
        assert await store.acl.role_of(space.id, owner.id) is Role.OWNER
        assert len(await store.documents.get_chunks(doc.id)) == 1
        assert len((await store.audit.page()).items) == 1
        assert len(await store.chats.list_session(uid(1))) == 1

    async def test_every_repository_rolls_back_together(self, store: StorePort) -> None:
        require_transactions(store)
        with pytest.raises(Boom):  # noqa: PT012 - the block is what is tested
            async with store.unit_of_work() as uow:
                owner = await uow.users.save(user("owner"))
                space = await uow.workspaces.save(Workspace(name="w", owner_id=owner.id))
                await uow.acl.grant(space.id, owner.id, Role.OWNER)
                doc = await uow.documents.save(document("d", workspace_id=space.id))
                await uow.documents.add_chunks(
                    doc.id, [chunk(doc, 0, basis(store.embedding_dim, 0))]
                )
                await uow.audit.append(AuditEvent(action="a", entity_type="t", entity_id="1"))
                await uow.chats.append(ChatMessage(session_id=uid(1), role="user", content="hi"))
                raise Boom
        assert await store.users.list() == []
        assert await store.workspaces.list() == []
        assert await store.acl.workspaces_of(owner.id) == []
        assert await store.documents.count() == 0
        assert await store.documents.get_chunks(doc.id) == []
        assert (await store.audit.page()).items == []
        assert await store.chats.list_session(uid(1)) == []

    async def test_using_a_unit_after_its_block_raises_unit_of_work_error(
        self, store: StorePort
    ) -> None:
        require_transactions(store)
        async with store.unit_of_work() as uow:
            pass
        with pytest.raises(UnitOfWorkError):
            await uow.documents.save(document("late"))
        with pytest.raises(UnitOfWorkError):
            await uow.users.list()
        with pytest.raises(UnitOfWorkError):
            await uow.commit()
        assert await titles_in_store(store) == []

    async def test_using_a_unit_after_a_failed_block_raises_unit_of_work_error(
        self, store: StorePort
    ) -> None:
        require_transactions(store)
        with pytest.raises(Boom):
            async with store.unit_of_work() as uow:
                raise Boom
        with pytest.raises(UnitOfWorkError):
            await uow.documents.count()
        with pytest.raises(UnitOfWorkError):
            await uow.rollback()

    async def test_a_nested_unit_raises_unit_of_work_error(self, store: StorePort) -> None:
        require_transactions(store)
        async with store.unit_of_work() as outer:
            await outer.documents.save(document("outer"))
            with pytest.raises(UnitOfWorkError):
                async with store.unit_of_work() as inner:
                    await inner.documents.save(document("inner"))
            await outer.documents.save(document("outer again"))
        assert sorted(await titles_in_store(store)) == ["outer", "outer again"]

    async def test_uncommitted_writes_are_isolated_when_units_are_concurrent(
        self, store: StorePort
    ) -> None:
        require_transactions(store)
        async with store.unit_of_work() as uow:
            saved = await uow.documents.save(document("pending"))
            if store.capabilities.concurrent_units:
                assert await store.documents.get_by_id(saved.id) is None
                assert await store.documents.count() == 0
            else:
                with pytest.raises(CapabilityError):
                    await store.documents.count()
        assert await titles_in_store(store) == ["pending"]

    async def test_a_unit_open_in_another_task_is_not_nesting(self, store: StorePort) -> None:
        require_transactions(store)
        if not store.capabilities.concurrent_units:
            await self._units_of_two_tasks_take_turns(store)
            return
        written, done = Event(), Event()

        async def writer() -> None:
            async with store.unit_of_work() as uow:
                await uow.documents.save(document("from writer"))
                written.set()
                await done.wait()

        async def other_task() -> int:
            await written.wait()
            try:
                async with store.unit_of_work():
                    pass
                return await store.documents.count()
            finally:
                done.set()

        _, seen = await run_together(writer, other_task, within_s=30)
        assert seen == 0
        assert await titles_in_store(store) == ["from writer"]

    async def _units_of_two_tasks_take_turns(self, store: StorePort) -> None:
        """Without concurrent units, a unit of another task waits for the open one to end."""
        written = Event()

        async def writer() -> None:
            async with store.unit_of_work() as uow:
                await uow.documents.save(document("from writer"))
                written.set()
                await pause(0.05)

        async def other_task() -> int:
            await written.wait()
            async with store.unit_of_work() as uow:
                return await uow.documents.count()

        _, seen = await run_together(writer, other_task, within_s=30)
        assert seen == 1
