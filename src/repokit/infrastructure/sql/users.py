"""Users on SQL: unique by lower-cased email."""

from __future__ import annotations

import builtins
from uuid import UUID

from repokit.domain.entities import User, normalize_email
from repokit.domain.errors import InUseError
from repokit.domain.ports import UserRepositoryPort
from repokit.infrastructure.sql.catalog import Catalog
from repokit.infrastructure.sql.errors import ErrorContext
from repokit.infrastructure.sql.repository import VersionedSqlRepository, as_uuid
from repokit.infrastructure.sql.scopes import Scope

_EMAIL_INDEX = "uq_users_email_lower"


class SqlUserRepository(VersionedSqlRepository[User], UserRepositoryPort):
    """Users; deleting one removes their ACL entries, unless they own a workspace."""

    noun = "user"

    def __init__(self, scope: Scope, catalog: Catalog) -> None:
        super().__init__(scope, catalog.users)
        self._catalog = catalog

    def _normalize(self, entity: User) -> User:
        email = normalize_email(entity.email)
        return entity if email == entity.email else entity.model_copy(update={"email": email})

    def _errors(self, entity: User) -> ErrorContext:
        return ErrorContext(
            duplicate=f"user {entity.id} already exists",
            unique={_EMAIL_INDEX: f"email {entity.email!r} is already used by another user"},
        )

    def _batch_errors(self, entities: object) -> ErrorContext:
        return ErrorContext(
            duplicate="a user of the batch already exists",
            unique={_EMAIL_INDEX: "an email of the batch is already used by another user"},
        )

    async def save(self, user: User) -> User:
        """Insert or update a user; an email used by another user raises ``DuplicateError``."""
        return await super().save(user)

    async def get_by_id(self, id: UUID) -> User | None:
        """The user with this id, or None."""
        return await super().get_by_id(id)

    async def find_by_email(self, email: str) -> User | None:
        """The user with this email, compared without regard to case."""
        key = normalize_email(email)
        async with self._scope.read() as connection:
            row = await connection.fetch_one(self._catalog.user_by_email.sql, (key,))
        return None if row is None else self._mapping.decode(row)

    async def list(self, offset: int = 0, limit: int = 20) -> builtins.list[User]:
        """Users in (created_at, id) order."""
        return await self._window(offset, limit)

    async def delete(self, id: UUID) -> bool:
        """Delete a user and their ACL entries; ``InUseError`` if they own a workspace."""
        user_id = as_uuid(id)
        key = self._statements.encode_id(user_id)
        in_use = ErrorContext(
            foreign_key=lambda: InUseError(f"user {user_id} still owns a workspace")
        )
        async with self._scope.write(in_use) as connection:
            # Checked first for a clear message; the RESTRICT foreign key is the backstop.
            if await connection.fetch_one(self._catalog.owns_workspace.sql, (key,)) is not None:
                raise InUseError(
                    f"user {user_id} still owns a workspace; delete or hand it over first"
                )
            rows = await connection.fetch_all(self._statements.delete_by_id.sql, (key,))
        return bool(rows)


__all__ = ["SqlUserRepository"]
