"""The DynamoDB repository of any declared entity: one class for every ``repokit.Entity``.

Built on the adapter's shared machinery: the scopes (autocommit, or a unit of
work's pending writes committed as one ``TransactWriteItems``), conditional
writes and their errors (:mod:`.writes`), the body codec (:mod:`.items`) and
query streams (:mod:`.queries`). What is particular to declared entities:

* :mod:`.entity_layout`: the keys, the GSI pool slots and the guard items;
* :mod:`.entity_saves`: the save rules, unique guards and reference checks;
* :mod:`.entity_plans` / :mod:`.entity_reads`: which ``Query`` a listing reads and
  how its matches are filtered (the reference evaluator) and ordered;
* :mod:`.entity_refs`: deletes, with ``Ref`` cascades and restrictions.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from repokit.domain.entity import Entity
from repokit.domain.entity_query import DEFAULT_ORDER, EntityQueries
from repokit.domain.entity_spec import spec_of
from repokit.domain.paging import Page, validate_window
from repokit.domain.ports import EntityRepositoryPort
from repokit.domain.query import Filter
from repokit.infrastructure.dynamodb.cascade import Dependents
from repokit.infrastructure.dynamodb.entity_items import EntityItems, items_of
from repokit.infrastructure.dynamodb.entity_plans import plan_read
from repokit.infrastructure.dynamodb.entity_reads import load, matching
from repokit.infrastructure.dynamodb.entity_refs import NO_DEPENDENTS, DeletePlan
from repokit.infrastructure.dynamodb.entity_saves import apply_batch, merge_batch, plan_save
from repokit.infrastructure.dynamodb.items import live
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import Scope
from repokit.infrastructure.memory.listing import as_uuid
from repokit.infrastructure.write_checks import reject_repeated_ids

E = TypeVar("E", bound=Entity)


class DynamoEntityRepository(EntityRepositoryPort[E], Generic[E]):
    """A declared entity's items in the single table (see :mod:`.entity_layout`)."""

    def __init__(
        self, scope: Scope, model: type[E], dependents: Dependents = NO_DEPENDENTS
    ) -> None:
        self._scope = scope
        self._dependents = dependents
        self._items: EntityItems[E] = items_of(model)
        self._spec = spec_of(model)
        self._queries = EntityQueries(self._spec)
        self._layout = self._items.layout
        self._groups = {frozenset(group.names): group for group in self._layout.unique}

    async def save(self, entity: E) -> E:
        """Insert or update one entity (see the ``save`` rules)."""
        planned = await plan_save(self._scope, self._items, entity)
        await self._scope.apply(planned.writes)
        return planned.row

    async def save_many(self, entities: Sequence[E]) -> builtins.list[E]:
        """Save several entities: all land or none does."""
        reject_repeated_ids(self._spec.noun, (entity.id for entity in entities))
        saves = [await plan_save(self._scope, self._items, entity) for entity in entities]
        writes = merge_batch(self._spec.noun, saves)
        await apply_batch(self._scope, saves, writes)
        return [save.row for save in saves]

    async def get_by_id(self, id: UUID) -> E | None:
        """The entity with this id (one consistent ``GetItem``), or None."""
        return await load(self._scope, self._items, as_uuid(id, "id"))

    async def get_by(self, **unique: Any) -> E | None:
        """The entity with these values of one unique group (its guard item), or None."""
        wanted = self._queries.unique_key(unique)
        group = self._groups.get(frozenset(wanted))
        if group is None:  # get_by(id=...)
            return await load(self._scope, self._items, wanted["id"])
        key = group.guard(wanted)
        guard = None if key is None else live(await self._scope.get(key))
        if guard is None:
            return None
        if self._items.inline(guard):
            return self._items.decode(guard)
        return await load(self._scope, self._items, guard["owner"]["S"])

    async def list(
        self,
        offset: int = 0,
        limit: int = 20,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> builtins.list[E]:
        """An offset window ordered by ``order_by`` then id, both in one direction."""
        validate_window(offset, limit)
        ordering = self._queries.ordering(order_by, descending)
        node = self._queries.parse(where)
        window: builtins.list[E] = []
        if limit == 0:
            return window
        plan = plan_read(self._layout, node, ordering)
        skipped = 0
        async for entity in matching(self._scope, self._items, self._queries, plan, node, ordering):
            if skipped < offset:
                skipped += 1
                continue
            window.append(entity)
            if len(window) == limit:
                break
        return window

    async def page(
        self,
        limit: int = 20,
        cursor: str | None = None,
        *,
        where: Filter | None = None,
        order_by: str = DEFAULT_ORDER,
        descending: bool = False,
    ) -> Page[E]:
        """A keyset page over ``(order_by, id)``; the cursor is None on the last page."""
        ordering, after = self._queries.page_start(limit, cursor, order_by, descending)
        node = self._queries.parse(where)
        plan = plan_read(self._layout, node, ordering, after)
        rows: builtins.list[E] = []
        async for entity in matching(
            self._scope, self._items, self._queries, plan, node, ordering, after
        ):
            rows.append(entity)
            if len(rows) > limit:  # one more than the page: another page follows
                break
        return self._queries.page_of(ordering, rows, limit, cursor)

    async def count(self, *, where: Filter | None = None) -> int:
        """How many entities match (without a filter: the partition's keys only)."""
        node = self._queries.parse(where)
        total = 0
        if node is None:
            spec = QuerySpec(partition=self._layout.partition, projection=("v",))
            async for item in self._scope.query(spec):
                total += live(item) is not None
            return total
        ordering = self._queries.ordering(DEFAULT_ORDER, False)
        plan = plan_read(self._layout, node, ordering)
        async for _ in matching(self._scope, self._items, self._queries, plan, node, ordering):
            total += 1
        return total

    async def delete(self, id: UUID) -> bool:
        """Delete the entity, cascading or restricting along its references; True if it existed.

        An entity a big delete had marked before it was interrupted reads as absent
        (False), and this call finishes that delete.
        """
        stored = await self._scope.get(self._layout.key(as_uuid(id, "id")))
        if stored is None:
            return False
        plan = DeletePlan(self._scope, self._dependents)
        await plan.follow(self._items, stored)
        return await plan.run(self._items, stored)


__all__ = ["DynamoEntityRepository"]
