"""Query descriptions: one partition of the table or of a GSI, a sort-key range, an order.

A :class:`QuerySpec` becomes the parameters of a DynamoDB ``Query`` (key
condition and filter with placeholders only) and can also tell whether an item
held in memory (a unit of work's pending write) belongs to its result, so a unit
can merge its own writes into what it reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from repokit.infrastructure.dynamodb.entity_layout import POOL_SIZE, pool_attributes, pool_index
from repokit.infrastructure.dynamodb.items import Item, key_of

INDEXES: dict[str | None, tuple[str, str]] = {
    None: ("PK", "SK"),
    "GSI1": ("G1PK", "G1SK"),
    "GSI2": ("G2PK", "G2SK"),
    # The pool serving declared entities' indexes (see .entity_layout).
    **{pool_index(slot): pool_attributes(slot) for slot in range(1, POOL_SIZE + 1)},
}
"""Key attributes of the table and of each global secondary index."""


@dataclass(frozen=True, slots=True)
class Prefilter:
    """A ``FilterExpression`` that keeps a superset of the wanted items (the rest is in-process)."""

    expression: str
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class QuerySpec:
    """Items of one partition of the table (``index=None``) or of a GSI, in sort-key order.

    ``after`` / ``before`` are exclusive sort-key bounds; ``prefix`` a
    ``begins_with``. ``page_size`` caps the items DynamoDB reads per request.
    """

    partition: str
    index: str | None = None
    after: str | None = None
    before: str | None = None
    prefix: str | None = None
    descending: bool = False
    prefilter: Prefilter | None = None
    page_size: int | None = None
    projection: tuple[str, ...] = ()

    @property
    def key_names(self) -> tuple[str, str]:
        """(partition key, sort key) attribute names of the queried index."""
        return INDEXES[self.index]

    def selects(self, item: Item) -> bool:
        """True when ``item`` lies in this query's partition and sort-key range."""
        pk, sk = self.key_names
        if item.get(pk, {}).get("S") != self.partition:
            return False
        value = item.get(sk, {}).get("S")
        if value is None:
            return False
        return (
            (self.after is None or value > self.after)
            and (self.before is None or value < self.before)
            and (self.prefix is None or value.startswith(self.prefix))
        )

    def sort_key(self, item: Item) -> tuple[str, str, str]:
        """The order DynamoDB returns items in (sort key; the table key breaks ties)."""
        return (item[self.key_names[1]]["S"], *key_of(item))

    def params(self, table: str) -> dict[str, Any]:
        """The ``Query`` request: key condition and filter as placeholders, never pasted values."""
        pk, sk = self.key_names
        names = {"#pk": pk}
        values: dict[str, Any] = {":pk": {"S": self.partition}}
        condition = "#pk = :pk"
        if self.after is not None and self.before is not None:
            # One sort-key condition only: BETWEEN, with the ends excluded by `selects`.
            condition += " AND #sk BETWEEN :lo AND :hi"
            values[":lo"], values[":hi"] = {"S": self.after}, {"S": self.before}
        elif self.after is not None:
            condition += " AND #sk > :lo"
            values[":lo"] = {"S": self.after}
        elif self.before is not None:
            condition += " AND #sk < :hi"
            values[":hi"] = {"S": self.before}
        elif self.prefix is not None:
            condition += " AND begins_with(#sk, :prefix)"
            values[":prefix"] = {"S": self.prefix}
        if "#sk" in condition:
            names["#sk"] = sk
        params: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": condition,
            "ScanIndexForward": not self.descending,
        }
        if self.index is not None:
            params["IndexName"] = self.index
        else:
            params["ConsistentRead"] = True
        if self.prefilter is not None:
            params["FilterExpression"] = self.prefilter.expression
            names.update(self.prefilter.names)
            values.update(self.prefilter.values)
        if self.projection:
            wanted = {*self.projection, "PK", "SK", pk, sk}
            aliases = {f"#p{i}": name for i, name in enumerate(sorted(wanted))}
            params["ProjectionExpression"] = ", ".join(aliases)
            names.update(aliases)
        if self.page_size is not None:
            params["Limit"] = self.page_size
        params["ExpressionAttributeNames"] = names
        params["ExpressionAttributeValues"] = values
        return params
