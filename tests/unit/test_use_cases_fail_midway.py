"""Use cases on a store without transactions undo their own writes when a step fails.

The contract suite proves this on every backend without transactions
(``UseCaseContract``); here it runs in-process on the memory store posing as
one, including a failure right after the first write (a reply lost after the
store wrote).
"""

from __future__ import annotations

from typing import cast

import pytest

from repokit.application import HashingEmbedder, ingest_document, register_user, share_workspace
from repokit.application.workspaces import create_workspace
from repokit.domain.entities import Role
from repokit.domain.errors import DuplicateError
from repokit.domain.ports import StorePort
from repokit.testing.faults import FailingStore, InjectedFailure

DIM = 64


@pytest.fixture
def plain(ordered_writes_store: StorePort) -> StorePort:
    return ordered_writes_store


@pytest.mark.parametrize("fail_after", [1, 2, 3])
async def test_a_failed_ingest_leaves_no_document(plain: StorePort, fail_after: int) -> None:
    owner = await register_user(plain, email="o@example.com", display_name="O")
    space = await create_workspace(plain, owner_id=owner.id, name="w")
    broken = cast(StorePort, FailingStore(plain, fail_after))
    with pytest.raises(InjectedFailure):
        await ingest_document(
            broken,
            HashingEmbedder(DIM),
            actor_id=owner.id,
            workspace_id=space.id,
            title="t",
            content="words to embed",
        )
    assert await plain.documents.count() == 0


@pytest.mark.parametrize("fail_after", [1, 2])
async def test_a_failed_share_restores_the_previous_role(plain: StorePort, fail_after: int) -> None:
    owner = await register_user(plain, email="o@example.com", display_name="O")
    guest = await register_user(plain, email="g@example.com", display_name="G")
    space = await create_workspace(plain, owner_id=owner.id, name="w")
    broken = cast(StorePort, FailingStore(plain, fail_after))
    with pytest.raises(InjectedFailure):
        await share_workspace(
            broken, actor_id=owner.id, workspace_id=space.id, user_id=guest.id, role=Role.EDITOR
        )
    assert await plain.acl.role_of(space.id, guest.id) is None


async def test_a_refused_first_write_is_never_undone(plain: StorePort) -> None:
    first = await register_user(plain, email="ann@example.com", display_name="Ann")
    with pytest.raises(DuplicateError):
        await register_user(plain, email="ann@example.com", display_name="Ann", user_id=first.id)
    assert await plain.users.get_by_id(first.id) == first
