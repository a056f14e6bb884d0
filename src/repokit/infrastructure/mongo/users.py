"""The MongoDB user repository: users unique by lower-cased email (a unique index)."""

from __future__ import annotations

import builtins
from uuid import UUID

from repokit.domain.entities import User, normalize_email
from repokit.domain.errors import DuplicateError, InUseError
from repokit.domain.ports import UserRepositoryPort
from repokit.infrastructure.mongo.client import Session
from repokit.infrastructure.mongo.codec import USERS
from repokit.infrastructure.mongo.errors import ErrorContext
from repokit.infrastructure.mongo.repository import VersionedMongoRepository, key
from repokit.infrastructure.mongo.scopes import Scope


class MongoUserRepository(VersionedMongoRepository[User], UserRepositoryPort):
    """Users in ``users``; the ``uq_users_email`` index keeps emails unique."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, USERS)
        self._workspaces = self.collection("workspaces")
        self._acl = self.collection("workspace_acl")

    def _normalize(self, entity: User) -> User:
        return entity.model_copy(update={"email": normalize_email(entity.email)})

    def _errors(self, entity: User) -> ErrorContext:
        return ErrorContext(
            duplicate=f"user {entity.id} already exists",
            unique=(("uq_users_email", f"email {entity.email!r} is already used"),),
        )

    async def _check_unique(self, entity: User, session: Session | None) -> None:
        await super()._check_unique(entity, session)
        await self._check_unique_update(entity, session)

    async def _check_unique_update(self, entity: User, session: Session | None) -> None:
        taken = await self._collection.find_one(
            {"email": entity.email, "_id": {"$ne": str(entity.id)}}, {"_id": 1}, session=session
        )
        if taken is not None:
            raise DuplicateError(f"email {entity.email!r} is already used")

    async def find_by_email(self, email: str) -> User | None:
        """The user with this email, compared without regard to case or surrounding spaces."""
        async with self._scope.read() as session:
            doc = await self._collection.find_one(
                {"email": normalize_email(email)}, session=session
            )
        return None if doc is None else USERS.decode(doc)

    async def list(self, offset: int = 0, limit: int = 20) -> builtins.list[User]:
        """Users in (created_at, id) order."""
        return await self._window({}, offset, limit)

    async def delete(self, id: UUID) -> bool:
        """Delete a user and their ACL entries; ``InUseError`` while they own a workspace."""
        wanted = key(id)
        async with self._scope.write(atomic=True) as session:
            owned = await self._workspaces.find_one(
                {"owner_id": wanted}, {"_id": 1}, session=session
            )
            if owned is not None:
                raise InUseError(
                    f"user {wanted} still owns workspace {owned['_id']}; "
                    "delete or reassign it first"
                )
            await self._acl.delete_many({"user_id": wanted}, session=session)
            result = await self._collection.delete_one({"_id": wanted}, session=session)
        return result.deleted_count > 0
