"""Offset windows over a query: skip ``offset`` live items, keep ``limit``, stop reading there."""

from __future__ import annotations

from repokit.infrastructure.dynamodb.items import Item, live
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import Scope


async def offset_items(scope: Scope, spec: QuerySpec, offset: int, limit: int) -> list[Item]:
    """Items ``offset .. offset + limit`` of ``spec`` in index order, deleted ones skipped."""
    window: list[Item] = []
    if limit == 0:
        return window
    skipped = 0
    async for item in scope.query(spec):
        if live(item) is None:
            continue
        if skipped < offset:
            skipped += 1
            continue
        window.append(item)
        if len(window) == limit:
            break
    return window
