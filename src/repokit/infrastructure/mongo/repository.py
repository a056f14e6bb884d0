"""The save rules, reads by id, deletes and windows every MongoDB repository shares.

:class:`MongoRepository` works for any pydantic entity mapped by an
:class:`~.codec.EntityCodec`; :class:`VersionedMongoRepository` adds the
optimistic-locking ``save`` of ``docs/semantics.md``:

* version 0 -> ``insert_one``; the ``_id`` (or another unique index, e.g. the
  email) already taken -> the server's duplicate key error -> ``DuplicateError``;
* version n -> ``replace_one({_id, version: n, <kept fields>}, document)``, the kept
  fields being those an update keeps from the stored document (``created_at``, a
  declared entity's ``Immutable`` ones); nothing matched -> ``NotFoundError`` if the
  id is not stored, else ``ConcurrencyError``;
* ``save_many`` does the same for a batch, all or nothing.

Inside a unit of work (a MongoDB transaction, which any server error aborts
whole) an insert first checks that its ``_id`` is free, so a ``DuplicateError``
leaves the unit usable, as on the other backends.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel
from pymongo.errors import BulkWriteError

from repokit.domain.errors import (
    ConcurrencyError,
    DuplicateError,
    InvalidQueryError,
    NotFoundError,
)
from repokit.domain.paging import validate_window
from repokit.infrastructure.assembly import restamped
from repokit.infrastructure.mongo.client import Collection, Session
from repokit.infrastructure.mongo.codec import EntityCodec
from repokit.infrastructure.mongo.errors import DRIVER_ERRORS, ErrorContext
from repokit.infrastructure.mongo.scopes import Scope
from repokit.infrastructure.write_checks import reject_repeated_ids

E = TypeVar("E", bound=BaseModel)
V = TypeVar("V", bound=BaseModel)

Sort = list[tuple[str, int]]
BATCH = 1000
"""Ids per ``$in`` when a cascade or an undo deletes by id."""


def as_uuid(value: Any, what: str = "id") -> UUID:
    """``value`` as a UUID (a UUID or its string form), else ``InvalidQueryError``."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidQueryError(f"{what} must be a UUID, got {value!r}") from None


def key(value: Any, what: str = "id") -> str:
    """The stored form of an id argument."""
    return str(as_uuid(value, what))


async def delete_ids(
    collection: Collection, ids: Sequence[str], session: Session | None, field: str = "_id"
) -> int:
    """Delete the documents whose ``field`` is one of ``ids``, in batches; how many went."""
    deleted = 0
    for start in range(0, len(ids), BATCH):
        result = await collection.delete_many(
            {field: {"$in": list(ids[start : start + BATCH])}}, session=session
        )
        deleted += result.deleted_count
    return deleted


async def find_all(
    collection: Collection,
    query: Mapping[str, Any],
    session: Session | None,
    *,
    sort: Sort | None = None,
    skip: int = 0,
    limit: int | None = None,
    projection: Mapping[str, Any] | None = None,
) -> builtins.list[dict[str, Any]]:
    """The documents of one query (``limit=0`` means none, unlike MongoDB's "no limit")."""
    if limit == 0:
        return []
    cursor = collection.find(query, projection, session=session)
    if sort:
        cursor = cursor.sort(sort)
    if skip:
        cursor = cursor.skip(skip)
    if limit is not None:
        cursor = cursor.limit(limit)
    return await cursor.to_list()


class MongoRepository(Generic[E]):
    """Reads by id, deletes by id and ordered windows of one collection."""

    def __init__(self, scope: Scope, codec: EntityCodec[E]) -> None:
        self._scope = scope
        self._codec = codec
        self._collection: Collection = scope.database.db[codec.collection]
        self.noun = codec.noun

    def collection(self, name: str) -> Collection:
        """Another collection of the same database."""
        return self._scope.database.db[name]

    async def get_by_id(self, id: UUID) -> E | None:
        """The entity with this id, or None."""
        wanted = key(id)
        async with self._scope.read() as session:
            doc = await self._collection.find_one({"_id": wanted}, session=session)
        return None if doc is None else self._codec.decode(doc)

    async def _exists(self, collection: Collection, id: str, session: Session | None) -> bool:
        found = await collection.find_one({"_id": id}, {"_id": 1}, session=session)
        return found is not None

    async def _window(
        self,
        query: Mapping[str, Any],
        offset: int,
        limit: int,
        sort: Sort | None = None,
    ) -> builtins.list[E]:
        validate_window(offset, limit)
        order = sort or [("created_at", 1), ("_id", 1)]
        async with self._scope.read() as session:
            docs = await find_all(
                self._collection, query, session, sort=order, skip=offset, limit=limit
            )
        return [self._codec.decode(doc) for doc in docs]

    async def _insert(self, entity: E, context: ErrorContext) -> E:
        """Insert an append-only entity; a taken ``_id`` raises ``DuplicateError``."""
        doc = self._codec.encode(entity)
        async with self._scope.write(context) as session:
            if self._scope.in_unit and await self._exists(self._collection, doc["_id"], session):
                raise DuplicateError(context.duplicate)
            await self._collection.insert_one(doc, session=session)
        return entity


class VersionedMongoRepository(MongoRepository[V]):
    """Adds the optimistic-locking ``save`` and ``save_many``."""

    def _stamp(self) -> dict[str, Any]:
        """Fields the store sets on every save (e.g. ``updated_at``); none by default."""
        return {}

    def _normalize(self, entity: V) -> V:
        """``entity`` as it is stored (e.g. an email lower-cased); itself by default."""
        return entity

    def _errors(self, entity: V) -> ErrorContext:
        """What a duplicate key means when saving ``entity``."""
        return ErrorContext(duplicate=f"{self.noun} {entity.__dict__['id']} already exists")

    def _batch_errors(self) -> ErrorContext:
        """What a duplicate key means when saving a batch."""
        return ErrorContext(duplicate=f"a {self.noun} of the batch already exists")

    def _kept_on_update(self) -> tuple[str, ...]:
        """Fields an update keeps from the stored document (when the document has them)."""
        return ("created_at",)

    async def _check_references(self, entity: V, session: Session | None) -> None:
        """Raise ``NotFoundError`` when an entity it references is missing; none by default."""

    async def _check_batch_references(self, batch: Sequence[V], session: Session | None) -> None:
        """``_check_references`` for every entity of a batch."""
        for entity in batch:
            await self._check_references(entity, session)

    async def _check_unique(self, entity: V, session: Session | None) -> None:
        """Inside a unit: raise ``DuplicateError`` before the server would (see the module doc)."""
        if await self._exists(self._collection, str(entity.__dict__["id"]), session):
            raise DuplicateError(self._errors(entity).duplicate)

    async def save(self, entity: V) -> V:
        """Insert (version 0) or update (version n, stored as n + 1); see the module doc."""
        entity = self._normalize(entity)
        stamp = self._stamp()
        async with self._scope.write(self._errors(entity)) as session:
            await self._check_references(entity, session)
            if entity.__dict__["version"] == 0:
                return await self._insert_one(entity, stamp, session)
            return await self._update_one(entity, stamp, session)

    async def save_many(self, entities: Sequence[V]) -> builtins.list[V]:
        """Save a batch atomically: all land or none does."""
        batch = [self._normalize(entity) for entity in entities]
        if not batch:
            return []
        reject_repeated_ids(self.noun, (entity.__dict__["id"] for entity in batch))
        stamp = self._stamp()
        async with self._scope.write(self._batch_errors(), atomic=True) as session:
            await self._check_batch_references(batch, session)
            new = [
                restamped(e, {**stamp, "version": 1})
                for e in batch
                if e.__dict__["version"] == 0
            ]
            updates = [e for e in batch if e.__dict__["version"] != 0]
            # A call with a transaction of its own is rolled back by it; otherwise (no
            # transactions, or inside a unit, which must stay usable) it undoes itself.
            undoes_itself = session is None or self._scope.in_unit
            before = await self._stored(updates, session) if undoes_itself else {}
            inserted = 0
            try:
                if new:
                    if self._scope.in_unit:
                        for entity in new:
                            await self._check_unique(entity, session)
                    inserted = await self._insert_batch(new, session)
                saved = {e.__dict__["id"]: e for e in new}
                for entity in updates:
                    saved[entity.__dict__["id"]] = await self._update_one(entity, stamp, session)
            except BaseException:
                if undoes_itself:
                    await self._undo(new[:inserted], before, session)
                raise
        return [saved[entity.__dict__["id"]] for entity in batch]

    async def _insert_batch(self, stored: Sequence[V], session: Session | None) -> int:
        """Insert in order; returns how many landed (all, or raises with the count set)."""
        docs = [self._codec.encode(entity) for entity in stored]
        try:
            await self._collection.insert_many(docs, ordered=True, session=session)
        except BulkWriteError as exc:
            landed = int(exc.details.get("nInserted", 0))
            if session is None:
                await self._undo(stored[:landed], {}, None)
            raise
        return len(docs)

    async def _stored(
        self, entities: Sequence[V], session: Session | None
    ) -> dict[str, dict[str, Any]]:
        ids = [str(e.__dict__["id"]) for e in entities]
        if not ids:
            return {}
        docs = await find_all(self._collection, {"_id": {"$in": ids}}, session)
        return {doc["_id"]: doc for doc in docs}

    async def _undo(
        self,
        inserted: Sequence[V],
        before: Mapping[str, dict[str, Any]],
        session: Session | None,
    ) -> None:
        """Remove ``inserted`` and put back the ``before`` states (best effort)."""
        ids = [str(e.__dict__["id"]) for e in inserted]
        with suppress(*DRIVER_ERRORS):  # the original error is the one to report
            await delete_ids(self._collection, ids, session)
            for id_, doc in before.items():
                await self._collection.replace_one({"_id": id_}, doc, session=session)

    async def _insert_one(self, entity: V, stamp: dict[str, Any], session: Session | None) -> V:
        stored = restamped(entity, {**stamp, "version": 1})
        if self._scope.in_unit:
            await self._check_unique(stored, session)
        await self._collection.insert_one(self._codec.encode(stored), session=session)
        return stored

    async def _update_one(self, entity: V, stamp: dict[str, Any], session: Session | None) -> V:
        """Replace the stored document if it is still at the entity's version.

        A whole-document replacement (``replace_one``) conditional on
        ``version`` and on the fields kept on update: the common case (an entity
        read from the store) is one round trip. When only kept fields differ, the
        stored values are kept and the replacement repeated.
        """
        version = entity.__dict__["version"]
        stored = restamped(entity, {**stamp, "version": version + 1})
        doc = self._codec.encode(stored)
        identifier = doc["_id"]
        if self._scope.in_unit:
            await self._check_unique_update(entity, session)
        kept = [name for name in self._kept_on_update() if name in doc]
        condition: dict[str, Any] = {"_id": identifier, "version": version}
        condition.update((name, doc[name]) for name in kept)
        result = await self._collection.replace_one(condition, doc, session=session)
        if result.matched_count:
            return stored
        current = await self._collection.find_one(
            {"_id": identifier}, {"version": 1, **dict.fromkeys(kept, 1)}, session=session
        )
        if current is None:
            raise NotFoundError(f"{self.noun} {identifier} not found")
        if current["version"] == version and kept:
            # Only kept fields differ: they are kept from the stored document.
            for name in kept:
                doc[name] = condition[name] = current.get(name)
            result = await self._collection.replace_one(condition, doc, session=session)
            if result.matched_count:
                return self._codec.decode(doc)
            current = await self._collection.find_one(
                {"_id": identifier}, {"version": 1}, session=session
            )
            if current is None:
                raise NotFoundError(f"{self.noun} {identifier} not found")
        raise ConcurrencyError(
            f"{self.noun} {identifier} was changed concurrently: stored version "
            f"{current['version']}, given {version}"
        )

    async def _check_unique_update(self, entity: V, session: Session | None) -> None:
        """Inside a unit: refuse an update that would break a unique index; none by default."""


__all__ = [
    "BATCH",
    "MongoRepository",
    "Sort",
    "VersionedMongoRepository",
    "as_uuid",
    "delete_ids",
    "find_all",
    "key",
]
