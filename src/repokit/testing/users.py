"""Contract: users — unique emails in any case, save rules, listing and deletes."""

from __future__ import annotations

import pytest

from repokit.domain.entities import AuditEvent, Role, User
from repokit.domain.errors import ConcurrencyError, DuplicateError, InUseError, NotFoundError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.samples import at, uid, user
from repokit.testing.stored import stored_user, stored_workspace


class UserContract(ContractMixin):
    """``store.users``: ``save``, ``get_by_id``, ``find_by_email``, ``list``, ``delete``."""

    async def test_save_inserts_a_user_with_version_1(self, store: StorePort) -> None:
        saved = await store.users.save(User(email="Ann@Example.COM", display_name="Ann"))
        assert (saved.email, saved.display_name, saved.version) == ("ann@example.com", "Ann", 1)
        assert await store.users.get_by_id(saved.id) == saved

    async def test_get_user_by_an_unknown_id_returns_none(self, store: StorePort) -> None:
        assert await store.users.get_by_id(uid(3)) is None

    async def test_find_by_email_ignores_case(self, store: StorePort) -> None:
        saved = await stored_user(store, "ann")
        assert await store.users.find_by_email("ann@example.com") == saved
        assert await store.users.find_by_email("ANN@Example.Com") == saved

    async def test_find_by_email_of_an_unknown_address_returns_none(self, store: StorePort) -> None:
        await stored_user(store, "ann")
        assert await store.users.find_by_email("bob@example.com") is None

    async def test_a_second_user_with_the_same_email_in_any_case_raises_duplicate_error(
        self, store: StorePort
    ) -> None:
        await store.users.save(User(email="ann@example.com", display_name="Ann"))
        with pytest.raises(DuplicateError):
            await store.users.save(User(email="ANN@EXAMPLE.COM", display_name="Other Ann"))
        assert len(await store.users.list()) == 1

    async def test_changing_email_to_a_taken_one_raises_duplicate_error(
        self, store: StorePort
    ) -> None:
        await stored_user(store, "ann")
        bob = await stored_user(store, "bob")
        with pytest.raises(DuplicateError):
            await store.users.save(User.model_validate({**dict(bob), "email": "Ann@example.com"}))
        assert await store.users.get_by_id(bob.id) == bob

    async def test_an_unvalidated_copy_is_stored_lower_cased_and_unique(
        self, store: StorePort
    ) -> None:
        await stored_user(store, "ann")
        bob = await stored_user(store, "bob")
        with pytest.raises(DuplicateError):
            await store.users.save(bob.model_copy(update={"email": "ANN@example.com"}))
        renamed = await store.users.save(bob.model_copy(update={"email": "Robert@Example.com"}))
        assert renamed.email == "robert@example.com"
        assert await store.users.find_by_email("robert@example.com") == renamed

    async def test_a_user_may_keep_their_email_on_update(self, store: StorePort) -> None:
        ann = await stored_user(store, "ann")
        renamed = await store.users.save(ann.model_copy(update={"display_name": "Annie"}))
        assert (renamed.display_name, renamed.version) == ("Annie", 2)

    async def test_an_email_freed_by_an_update_can_be_taken(self, store: StorePort) -> None:
        ann = await stored_user(store, "ann")
        await store.users.save(User.model_validate({**dict(ann), "email": "anne@example.com"}))
        again = await stored_user(store, "ann")
        assert await store.users.find_by_email("ann@example.com") == again

    async def test_save_of_a_new_user_with_a_stored_id_raises_duplicate_error(
        self, store: StorePort
    ) -> None:
        ann = await stored_user(store, "ann")
        with pytest.raises(DuplicateError):
            await store.users.save(user("bob", id=ann.id))
        assert await store.users.get_by_id(ann.id) == ann

    async def test_user_save_with_a_stale_version_raises_concurrency_error(
        self, store: StorePort
    ) -> None:
        ann = await stored_user(store, "ann")
        current = await store.users.save(ann.model_copy(update={"display_name": "A1"}))
        with pytest.raises(ConcurrencyError):
            await store.users.save(ann.model_copy(update={"display_name": "A2"}))
        assert await store.users.get_by_id(ann.id) == current

    async def test_update_of_an_unknown_user_raises_not_found_error(self, store: StorePort) -> None:
        with pytest.raises(NotFoundError):
            await store.users.save(user("ghost", version=1))
        assert await store.users.list() == []

    async def test_users_list_orders_by_created_at_then_id(self, store: StorePort) -> None:
        for name, number, seconds in [("c", 3, 5), ("b", 2, 1), ("a", 1, 1), ("z", 9, 0)]:
            await stored_user(store, name, id=uid(number), created_at=at(seconds))
        assert [u.display_name for u in await store.users.list()] == ["Z", "A", "B", "C"]

    async def test_list_windows_by_offset_and_limit(self, store: StorePort) -> None:
        for index in range(5):
            await stored_user(store, f"user{index}", created_at=at(index))
        found = await store.users.list(1, 3)
        assert [u.display_name for u in found] == ["User1", "User2", "User3"]

    async def test_delete_removes_the_user_and_returns_true(self, store: StorePort) -> None:
        ann = await stored_user(store, "ann")
        assert await store.users.delete(ann.id) is True
        assert await store.users.get_by_id(ann.id) is None
        assert await store.users.find_by_email("ann@example.com") is None

    async def test_delete_of_an_unknown_user_returns_false(self, store: StorePort) -> None:
        assert await store.users.delete(uid(4)) is False

    async def test_delete_removes_the_users_acl_entries(self, store: StorePort) -> None:
        space = await stored_workspace(store)
        ann = await stored_user(store, "ann")
        await store.acl.grant(space.id, ann.id, Role.EDITOR)
        await store.users.delete(ann.id)
        assert await store.acl.members(space.id) == []
        assert await store.acl.workspaces_of(ann.id) == []

    async def test_deleting_a_workspace_owner_raises_in_use_error_and_changes_nothing(
        self, store: StorePort
    ) -> None:
        owner = await stored_user(store, "owner")
        space = await stored_workspace(store, owner=owner)
        await store.acl.grant(space.id, owner.id, Role.OWNER)
        with pytest.raises(InUseError):
            await store.users.delete(owner.id)
        assert await store.users.get_by_id(owner.id) == owner
        assert await store.workspaces.get_by_id(space.id) == space
        assert await store.acl.role_of(space.id, owner.id) is Role.OWNER

    async def test_deleting_a_user_keeps_their_audit_events(self, store: StorePort) -> None:
        ann = await stored_user(store, "ann")
        await store.audit.append(
            AuditEvent(actor_id=ann.id, action="login", entity_type="user", entity_id=str(ann.id))
        )
        await store.users.delete(ann.id)
        assert [e.action for e in (await store.audit.page(actor_id=ann.id)).items] == ["login"]

    async def test_a_former_owner_can_be_deleted(self, store: StorePort) -> None:
        owner = await stored_user(store, "owner")
        space = await stored_workspace(store, owner=owner)
        await store.workspaces.delete(space.id)
        assert await store.users.delete(owner.id) is True
