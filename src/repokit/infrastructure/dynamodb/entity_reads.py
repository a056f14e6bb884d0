"""Reading declared entities: by key, and the matches of a listing in its order.

A listing reads the items of its :class:`~.entity_plans.ReadPlan`, decodes each
one, keeps those the reference evaluator (:func:`repokit.domain.matching.matches`)
accepts and that lie beyond the page's cursor, and yields them in the ordering
``(field, id)``: an ordered plan's items are re-sorted only within runs of tied
order keys, so reading stops as soon as the window is full; an unordered plan's
matches are all read and sorted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypeVar
from uuid import UUID

from repokit.domain.entity import Entity
from repokit.domain.entity_query import EntityQueries, Ordering
from repokit.domain.matching import matches
from repokit.domain.query import FilterNode
from repokit.infrastructure.dynamodb.entity_items import EntityItems
from repokit.infrastructure.dynamodb.entity_layout import part_partition
from repokit.infrastructure.dynamodb.entity_plans import ReadPlan
from repokit.infrastructure.dynamodb.items import Item, live, part_count
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import Scope

E = TypeVar("E", bound=Entity)


async def read_item(scope: Scope, items: EntityItems[E], item: Item) -> E:
    """The entity of a stored item, reading its body parts when it was split."""
    count = part_count(item)
    if not count:
        return items.decode(item)
    partition = part_partition(items.layout.collection, item["SK"]["S"])
    spec = QuerySpec(partition=partition, prefix="PART#")
    parts = [part["p"]["B"] async for part in scope.query(spec)][:count]
    return items.decode(item, parts)


async def load(scope: Scope, items: EntityItems[E], id_: UUID | str) -> E | None:
    """The entity stored under ``id_`` (a consistent ``GetItem``), or None."""
    item = live(await scope.get(items.layout.key(id_)))
    return None if item is None else await read_item(scope, items, item)


async def matching(
    scope: Scope,
    items: EntityItems[E],
    queries: EntityQueries,
    plan: ReadPlan,
    node: FilterNode | None,
    ordering: Ordering,
    after: tuple[Any, UUID] | None = None,
) -> AsyncIterator[E]:
    """The entities of ``plan`` that match ``node`` and follow ``after``, in ``ordering``."""
    name, descending = ordering.name, ordering.descending

    def position(entity: E) -> tuple[Any, UUID]:
        return queries.order_value_of(entity, name), entity.id

    def wanted(entity: E) -> bool:
        if not matches(node, entity, queries.read):
            return False
        if after is None:
            return True
        return position(entity) < after if descending else position(entity) > after

    run: list[E] = []
    run_key: str | None = None
    async for item in scope.query(plan.query):
        if live(item) is None:
            continue
        if plan.ordered:
            key = plan.run_key(item)
            if run and key != run_key:
                for entity in sorted(run, key=position, reverse=descending):
                    yield entity
                run = []
            run_key = key
        entity = await read_item(scope, items, item)
        if wanted(entity):
            run.append(entity)
    for entity in sorted(run, key=position, reverse=descending):
        yield entity


__all__ = ["load", "matching", "read_item"]
