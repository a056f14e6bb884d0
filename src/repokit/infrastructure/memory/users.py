"""The in-memory user repository: users unique by lower-cased email."""

from __future__ import annotations

import builtins
from uuid import UUID

from repokit.domain.entities import User, normalize_email
from repokit.domain.paging import validate_window
from repokit.domain.ports import UserRepositoryPort
from repokit.infrastructure.memory.listing import offset_window
from repokit.infrastructure.memory.rows import delete_row, get_entity, save_versioned, to_entity
from repokit.infrastructure.memory.schema import USERS
from repokit.infrastructure.memory.transaction import TransactionScope


class MemoryUserRepository(UserRepositoryPort):
    """Users held in memory; the schema keeps emails unique."""

    def __init__(self, scope: TransactionScope) -> None:
        self._scope = scope

    async def save(self, user: User) -> User:
        """Insert or update a user; an email used by another user raises ``DuplicateError``."""
        with self._scope.transaction() as transaction:
            stored = user.model_copy(update={"email": normalize_email(user.email)})
            return save_versioned(transaction, USERS, stored)

    async def get_by_id(self, id: UUID) -> User | None:
        """The user with this id, or None."""
        with self._scope.transaction() as transaction:
            return get_entity(transaction, USERS, id)

    async def find_by_email(self, email: str) -> User | None:
        """The user with this email, compared without regard to case or surrounding spaces."""
        with self._scope.transaction() as transaction:
            wanted = normalize_email(email)
            for user in transaction.rows(USERS).values():
                if user.email == wanted:
                    return to_entity(user)
            return None

    async def list(self, offset: int = 0, limit: int = 20) -> builtins.list[User]:
        """Users in (created_at, id) order."""
        with self._scope.transaction() as transaction:
            validate_window(offset, limit)
            window = offset_window(
                transaction.rows(USERS).values(), lambda u: (u.created_at, u.id), offset, limit
            )
            return [to_entity(user) for user in window]

    async def delete(self, id: UUID) -> bool:
        """Delete a user and their ACL entries; ``InUseError`` while they own a workspace."""
        with self._scope.transaction() as transaction:
            return delete_row(transaction, USERS, id)
