"""Use cases: register a user, create a workspace, share it."""

from __future__ import annotations

import pytest

from repokit.application import create_workspace, register_user, share_workspace
from repokit.domain.entities import Role, User, Workspace
from repokit.domain.errors import DuplicateError, NotFoundError, PermissionDeniedError
from repokit.domain.ids import uuid7
from repokit.domain.ports import StorePort


async def actions(store: StorePort) -> list[str]:
    return [event.action for event in (await store.audit.page(100)).items]


async def test_register_user_stores_and_audits(store: StorePort) -> None:
    user = await register_user(store, email="Ann@Example.com", display_name="Ann")
    assert (await store.users.find_by_email("ann@example.com")) == user
    assert await actions(store) == ["user.registered"]


async def test_register_user_twice_in_any_case_is_a_duplicate(
    store: StorePort, alice: User
) -> None:
    with pytest.raises(DuplicateError):
        await register_user(store, email="ALICE@example.com", display_name="Other")
    assert await actions(store) == ["user.registered"]


async def test_creator_becomes_owner(store: StorePort, alice: User, workspace: Workspace) -> None:
    assert await store.acl.role_of(workspace.id, alice.id) is Role.OWNER
    assert workspace.owner_id == alice.id
    assert await actions(store) == ["user.registered", "workspace.created"]


async def test_workspace_of_unknown_owner_is_not_found(store: StorePort) -> None:
    with pytest.raises(NotFoundError):
        await create_workspace(store, owner_id=uuid7(), name="Nobody's")
    assert await store.workspaces.list() == []


async def test_owner_shares_a_role(
    store: StorePort, alice: User, bob: User, workspace: Workspace
) -> None:
    entry = await share_workspace(
        store, actor_id=alice.id, workspace_id=workspace.id, user_id=bob.id, role=Role.EDITOR
    )
    assert (entry.user_id, entry.role) == (bob.id, Role.EDITOR)
    assert await store.acl.role_of(workspace.id, bob.id) is Role.EDITOR
    assert (await actions(store))[-1] == "workspace.shared"


async def test_editor_cannot_share(
    store: StorePort, alice: User, bob: User, workspace: Workspace
) -> None:
    await share_workspace(
        store, actor_id=alice.id, workspace_id=workspace.id, user_id=bob.id, role=Role.EDITOR
    )
    carol = await register_user(store, email="carol@example.com", display_name="Carol")
    with pytest.raises(PermissionDeniedError, match="needs at least the owner role") as caught:
        await share_workspace(
            store, actor_id=bob.id, workspace_id=workspace.id, user_id=carol.id, role=Role.VIEWER
        )
    assert "has the editor role" in str(caught.value)
    assert await store.acl.role_of(workspace.id, carol.id) is None


async def test_stranger_cannot_share(store: StorePort, bob: User, workspace: Workspace) -> None:
    with pytest.raises(PermissionDeniedError, match="and has no role"):
        await share_workspace(
            store, actor_id=bob.id, workspace_id=workspace.id, user_id=bob.id, role=Role.OWNER
        )


async def test_sharing_with_an_unknown_user_is_not_found(
    store: StorePort, alice: User, workspace: Workspace
) -> None:
    with pytest.raises(NotFoundError):
        await share_workspace(
            store, actor_id=alice.id, workspace_id=workspace.id, user_id=uuid7(), role=Role.VIEWER
        )


async def test_the_owner_keeps_the_owner_role(
    store: StorePort, alice: User, workspace: Workspace
) -> None:
    with pytest.raises(PermissionDeniedError, match="keeps the owner role"):
        await share_workspace(
            store, actor_id=alice.id, workspace_id=workspace.id, user_id=alice.id, role=Role.VIEWER
        )
    assert await store.acl.role_of(workspace.id, alice.id) is Role.OWNER
