"""Use case: register a user."""

from __future__ import annotations

from functools import partial
from uuid import UUID

from repokit.application.units import first_write, undo_on_failure, write_unit
from repokit.domain.entities import AuditEvent, User
from repokit.domain.ids import uuid7
from repokit.domain.ports import StorePort


async def register_user(
    store: StorePort, *, email: str, display_name: str, user_id: UUID | None = None
) -> User:
    """Store a new user and audit it, in one unit of work.

    Raises:
        DuplicateError: the email (in any case) or the id is already used.
    """
    user = User(id=user_id or uuid7(), email=email, display_name=display_name)
    async with write_unit(store) as repositories:
        forget = partial(store.users.delete, user.id)
        saved = await first_write(store, partial(repositories.users.save, user), forget)
        async with undo_on_failure(store, forget):
            await repositories.audit.append(
                AuditEvent(
                    actor_id=saved.id,
                    action="user.registered",
                    entity_type="user",
                    entity_id=str(saved.id),
                    payload={"email": saved.email},
                )
            )
    return saved


__all__ = ["register_user"]
