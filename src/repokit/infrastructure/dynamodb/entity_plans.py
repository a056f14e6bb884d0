"""Which ``Query`` a listing of declared entities reads: a GSI of the pool or the partition.

Every plan reads one partition with ``Query``, never the table with ``Scan``:

1. a top-level AND clause on the first field of one of the entity's indexes
   (``$eq`` first, else ``$gt``/``$gte``/``$lt``/``$lte``) becomes a key
   condition on that index's GSI partition; it comes in order when the listing
   is ordered by that field, or by the index's second field under ``$eq`` on
   the first;
2. else, ordered by ``id``: the entity partition, in sort-key order;
3. else, ordered by the first field of an index: that index's GSI partition, in
   order, from the cursor's position on;
4. else: the entity partition, every item read and sorted in-process.

A key condition only narrows: it keeps every item the filter can match (the
bounds are inclusive and order keys may tie), and the reader checks each entity
with the reference evaluator and re-sorts each run of items whose order keys tie
(:attr:`ReadPlan.ordered`). So a plan decides what a listing costs, never what
it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from repokit.domain.entity_query import Ordering
from repokit.domain.entity_spec import FieldKind, FieldSpec
from repokit.domain.query import And, Compare, FilterNode
from repokit.infrastructure.dynamodb.entity_keys import (
    ABOVE_SEPARATOR,
    SEPARATOR,
    order_key,
)
from repokit.infrastructure.dynamodb.entity_layout import EntityLayout, IndexSlot, pool_attributes
from repokit.infrastructure.dynamodb.items import Item
from repokit.infrastructure.dynamodb.queries import QuerySpec

PAGE_SIZE = 200
"""Items per ``Query`` request while a listing fills its window."""


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """The query a listing reads and whether it comes in the listing's order.

    Attributes:
        query: the ``Query`` (index, partition, key condition, direction).
        ordered: items come in the ordering's order, except that a run of items
            with the same :attr:`run_key` must be sorted in-process.
        run_key: the part of an item's sort key that the ordering sorts by.
        index: the GSI read (None: the entity partition), for tests and docs.
    """

    query: QuerySpec
    ordered: bool
    run_key: Callable[[Item], str]

    @property
    def index(self) -> str | None:
        """The GSI the plan reads, or None for the entity partition."""
        return self.query.index


def plan_read(
    layout: EntityLayout,
    node: FilterNode | None,
    ordering: Ordering,
    after: tuple[Any, UUID] | None = None,
) -> ReadPlan:
    """The cheapest ``Query`` that returns every entity ``node`` can match."""
    descending = ordering.descending
    served = _served_filter(layout, node)
    if served is not None:
        slot, key_bounds = served
        position = _ordered_by(slot, ordering, equal_first="prefix" in key_bounds)
        ordered = position is not None
        query = _query(slot.partition, slot.index, descending and ordered, key_bounds)
        return ReadPlan(query, ordered, _field_key(slot, position or 0))
    if ordering.name == "id":
        bounds: dict[str, str] = {}
        if after is not None:
            bounds = {"before": str(after[1])} if descending else {"after": str(after[1])}
        return ReadPlan(_query(layout.partition, None, descending, bounds), True, _sort_key)
    by_field = layout.slot_of(ordering.name)
    if by_field is not None:
        bounds = {}
        if after is not None:
            start = order_key(by_field.fields[0], after[0])
            bounds = {"before": start + ABOVE_SEPARATOR} if descending else {"after": start}
        query = _query(by_field.partition, by_field.index, descending, bounds)
        return ReadPlan(query, True, _field_key(by_field, 0))
    return ReadPlan(_query(layout.partition, None, False, {}), False, _sort_key)


def _query(
    partition: str, index: str | None, descending: bool, bounds: dict[str, str]
) -> QuerySpec:
    return QuerySpec(
        partition=partition,
        index=index,
        after=bounds.get("after"),
        before=bounds.get("before"),
        prefix=bounds.get("prefix"),
        descending=descending,
        page_size=PAGE_SIZE,
    )


def _sort_key(item: Item) -> str:
    return str(item["SK"]["S"])


def _ordered_by(slot: IndexSlot, ordering: Ordering, *, equal_first: bool) -> int | None:
    """Which of the index's fields orders its items as ``ordering`` wants, if one does.

    The first field always can; the second only when the first is fixed by ``$eq``
    (a compound index such as ``(owner_id, created_at)`` listing one owner's rows).
    """
    if ordering.name == slot.first:
        return 0
    if equal_first and len(slot.fields) > 1 and slot.fields[1].name == ordering.name:
        return 1
    return None


def _field_key(slot: IndexSlot, position: int) -> Callable[[Item], str]:
    """The order key of the index's field at ``position`` in an item's sort key."""
    attribute = pool_attributes(slot.slot)[1]

    def key(item: Item) -> str:
        return str(item[attribute]["S"]).split(SEPARATOR, position + 1)[position]

    return key


def _served_filter(
    layout: EntityLayout, node: FilterNode | None
) -> tuple[IndexSlot, dict[str, str]] | None:
    """The index slot and key bounds a top-level clause of ``node`` gives, if any."""
    if node is None:
        return None
    clauses = node.clauses if isinstance(node, And) else (node,)
    ranges: dict[int, dict[str, str]] = {}
    for clause in clauses:
        if not isinstance(clause, Compare) or clause.field.json:
            continue
        slot = layout.slot_of(clause.field.name)
        if slot is None or not _keyable(slot.fields[0], clause.value):
            continue
        key = order_key(slot.fields[0], clause.value)
        if clause.op == "$eq":
            return slot, {"prefix": key + SEPARATOR}
        bounds = ranges.setdefault(slot.slot, {})
        if clause.op in ("$gt", "$gte"):
            bounds["after"] = max(bounds.get("after", key), key)
        elif clause.op in ("$lt", "$lte"):
            upper = key + ABOVE_SEPARATOR
            bounds["before"] = min(bounds.get("before", upper), upper)
    for slot in layout.slots:
        bounds = ranges.get(slot.slot, {})
        if bounds:
            if bounds.get("after", "") >= bounds.get("before", "\U0010ffff"):
                del bounds["before"]  # an empty range: keep a valid (wider) key condition
            return slot, bounds
    return None


def _keyable(field: FieldSpec, value: Any) -> bool:
    """An operand whose order key sorts with the stored values' keys (same encoding)."""
    if value is None or isinstance(value, bool) != (field.kind is FieldKind.BOOL):
        return False
    kind = field.kind
    if kind is FieldKind.INT or field.choice_type is int:
        return isinstance(value, int)
    if kind is FieldKind.FLOAT:
        return isinstance(value, int | float)
    if kind is FieldKind.DECIMAL:
        return isinstance(value, Decimal | int)
    return True


__all__ = ["PAGE_SIZE", "ReadPlan", "plan_read"]
