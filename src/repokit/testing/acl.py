"""Contract: the workspace ACL — grants, revokes, roles and the two listings."""

from __future__ import annotations

import pytest

from repokit.domain.entities import Role
from repokit.domain.errors import NotFoundError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.samples import uid
from repokit.testing.stored import stored_user, stored_workspace


class AclContract(ContractMixin):
    """``store.acl``: ``grant``, ``revoke``, ``role_of``, ``members``, ``workspaces_of``."""

    async def test_grant_returns_the_entry_and_role_of_reads_it(self, store: StorePort) -> None:
        space = await stored_workspace(store)
        ann = await stored_user(store, "ann")
        entry = await store.acl.grant(space.id, ann.id, Role.EDITOR)
        assert (entry.workspace_id, entry.user_id, entry.role) == (space.id, ann.id, Role.EDITOR)
        assert await store.acl.role_of(space.id, ann.id) is Role.EDITOR

    async def test_role_of_without_a_grant_is_none(self, store: StorePort) -> None:
        space = await stored_workspace(store)
        ann = await stored_user(store, "ann")
        assert await store.acl.role_of(space.id, ann.id) is None
        assert await store.acl.role_of(uid(1), uid(2)) is None

    async def test_grant_replaces_the_role_and_stamps_a_new_granted_at(
        self, store: StorePort
    ) -> None:
        space = await stored_workspace(store)
        ann = await stored_user(store, "ann")
        first = await store.acl.grant(space.id, ann.id, Role.VIEWER)
        second = await store.acl.grant(space.id, ann.id, Role.OWNER)
        assert await store.acl.role_of(space.id, ann.id) is Role.OWNER
        assert second.granted_at >= first.granted_at
        assert await store.acl.members(space.id) == [second]

    async def test_revoke_removes_the_role_and_returns_true(self, store: StorePort) -> None:
        space = await stored_workspace(store)
        ann = await stored_user(store, "ann")
        await store.acl.grant(space.id, ann.id, Role.VIEWER)
        assert await store.acl.revoke(space.id, ann.id) is True
        assert await store.acl.role_of(space.id, ann.id) is None

    async def test_revoke_without_a_grant_returns_false(self, store: StorePort) -> None:
        space = await stored_workspace(store)
        ann = await stored_user(store, "ann")
        assert await store.acl.revoke(space.id, ann.id) is False

    async def test_grant_in_a_missing_workspace_raises_not_found_error(
        self, store: StorePort
    ) -> None:
        ann = await stored_user(store, "ann")
        with pytest.raises(NotFoundError):
            await store.acl.grant(uid(1), ann.id, Role.VIEWER)
        assert await store.acl.workspaces_of(ann.id) == []

    async def test_grant_to_a_missing_user_raises_not_found_error(self, store: StorePort) -> None:
        space = await stored_workspace(store)
        with pytest.raises(NotFoundError):
            await store.acl.grant(space.id, uid(1), Role.VIEWER)
        assert await store.acl.members(space.id) == []

    async def test_members_are_ordered_by_granted_at_then_user_id(self, store: StorePort) -> None:
        space = await stored_workspace(store)
        users = [await stored_user(store, name, id=uid(n)) for name, n in [("c", 3), ("a", 1)]]
        users.append(await stored_user(store, "b", id=uid(2)))
        for member in users:
            await store.acl.grant(space.id, member.id, Role.VIEWER)
        entries = await store.acl.members(space.id)
        assert {e.user_id for e in entries} == {uid(1), uid(2), uid(3)}
        keys = [(e.granted_at, e.user_id) for e in entries]
        assert keys == sorted(keys)

    async def test_workspaces_of_are_ordered_by_granted_at_then_workspace_id(
        self, store: StorePort
    ) -> None:
        owner = await stored_user(store, "owner")
        ann = await stored_user(store, "ann")
        spaces = [await stored_workspace(store, f"w{n}", owner, id=uid(n)) for n in (3, 1, 2)]
        for space, role in zip(spaces, [Role.VIEWER, Role.EDITOR, Role.OWNER], strict=True):
            await store.acl.grant(space.id, ann.id, role)
        entries = await store.acl.workspaces_of(ann.id)
        assert {(e.workspace_id, e.role) for e in entries} == {
            (uid(3), Role.VIEWER),
            (uid(1), Role.EDITOR),
            (uid(2), Role.OWNER),
        }
        keys = [(e.granted_at, e.workspace_id) for e in entries]
        assert keys == sorted(keys)

    async def test_members_lists_only_that_workspace(self, store: StorePort) -> None:
        owner = await stored_user(store, "owner")
        first = await stored_workspace(store, "first", owner)
        second = await stored_workspace(store, "second", owner)
        ann = await stored_user(store, "ann")
        bob = await stored_user(store, "bob")
        await store.acl.grant(first.id, ann.id, Role.VIEWER)
        await store.acl.grant(second.id, bob.id, Role.EDITOR)
        assert [(e.user_id, e.role) for e in await store.acl.members(first.id)] == [
            (ann.id, Role.VIEWER)
        ]
        assert await store.acl.members(uid(9)) == []
