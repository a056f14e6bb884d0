"""The DynamoDB user repository: emails kept unique by guard items written with the user."""

from __future__ import annotations

import builtins
from uuid import UUID

from repokit.domain.entities import User, normalize_email
from repokit.domain.paging import validate_window
from repokit.domain.ports import UserRepositoryPort
from repokit.infrastructure.dynamodb.cascade import delete_user
from repokit.infrastructure.dynamodb.items import live, s
from repokit.infrastructure.dynamodb.layout import G1, USERS, email_key, user_attrs, user_key
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import EntityKind, Scope, load, plan_save, read_entity
from repokit.infrastructure.dynamodb.window import offset_items
from repokit.infrastructure.dynamodb.writes import ABSENT, delete, put

USER = EntityKind("user", User, user_key, user_attrs)


class DynamoUserRepository(UserRepositoryPort):
    """Users in the single table, with an ``EMAIL#<email>`` guard item per user."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def save(self, user: User) -> User:
        """Insert or update a user; an email used by another user raises ``DuplicateError``.

        The user item and its email guard are written in one transaction, the guard
        with ``attribute_not_exists``, so two concurrent sign-ups with one email can
        never both land.
        """
        stored_form = user.model_copy(update={"email": normalize_email(user.email)})
        row, writes, stored = await plan_save(self._scope, USER, stored_form)
        old_email = None if stored is None else stored["email"]["S"]
        if old_email != row.email:
            guard = {"user": s(str(row.id))}
            writes.append(put(email_key(row.email), guard, f"email {row.email}", ABSENT))
            if old_email is not None:
                writes.append(delete(email_key(old_email), f"email {old_email}"))
        await self._scope.apply(writes)
        return row

    async def get_by_id(self, id: UUID) -> User | None:
        """The user with this id, or None."""
        return await load(self._scope, USER, id)

    async def find_by_email(self, email: str) -> User | None:
        """The user with this email (guard item, then the user), without regard to case."""
        guard = live(await self._scope.get(email_key(normalize_email(email))))
        if guard is None:
            return None
        return await load(self._scope, USER, UUID(guard["user"]["S"]))

    async def list(self, offset: int = 0, limit: int = 20) -> builtins.list[User]:
        """Users in (created_at, id) order."""
        validate_window(offset, limit)
        items = await offset_items(self._scope, QuerySpec(partition=USERS, index=G1), offset, limit)
        return [await read_entity(self._scope, User, item) for item in items]

    async def delete(self, id: UUID) -> bool:
        """Delete a user and their ACL entries; ``InUseError`` while they own a workspace."""
        return await delete_user(self._scope, id)
