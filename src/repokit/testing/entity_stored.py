"""Store helpers the entity contract tests share: datasets, page walks, snapshots."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar
from uuid import UUID

from repokit.domain.entity import Entity
from repokit.domain.entity_spec import spec_of
from repokit.domain.ports import StorePort
from repokit.domain.query import Filter
from repokit.testing.entity_samples import Samples, random_entities

E = TypeVar("E", bound=Entity)

DATASET = 40
"""Random entities stored for the filter and ordering tests."""
BATCH = 20
"""Entities per ``save_many`` while storing a dataset (inside every backend's batch limit)."""
TARGETS = 3
"""Stored targets each reference of a dataset draws from."""


async def stored_dataset(store: StorePort, model: type[E], count: int = DATASET) -> list[E]:
    """``count`` random entities of ``model``, stored (with the targets they refer to)."""
    samples = Samples(store)
    references: dict[str, list[UUID | None]] = {}
    for ref in spec_of(model).refs:
        targets: list[UUID | None] = [
            (await samples.stored(ref.target)).id for _ in range(TARGETS)
        ]
        if spec_of(model).field(ref.field).nullable:
            targets.append(None)
        references[ref.field] = targets
    repository = store.repository(model)
    saved: list[E] = []
    batch = random_entities(model, count, references)
    for start in range(0, len(batch), BATCH):
        saved.extend(await repository.save_many(batch[start : start + BATCH]))
    return saved


async def walk_pages(
    store: StorePort,
    model: type[Entity],
    *,
    size: int,
    where: Filter | None = None,
    order_by: str = "id",
    descending: bool = False,
    most: int = 10_000,
) -> list[Any]:
    """Every entity of every page, in order (fails if the cursor never runs out)."""
    repository = store.repository(model)
    items: list[Any] = []
    cursor: str | None = None
    for _ in range(most // max(size, 1) + 2):
        page = await repository.page(
            size, cursor, where=where, order_by=order_by, descending=descending
        )
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return items
    raise AssertionError("page() never returned next_cursor=None")


async def entity_snapshot(
    store: StorePort, models: Sequence[type[Entity]]
) -> list[tuple[str, UUID, int]]:
    """Every stored entity of ``models`` as (collection, id, version): what "nothing changed"
    compares."""
    rows: list[tuple[str, UUID, int]] = []
    for model in models:
        found = await store.repository(model).list(0, 10_000)
        rows.extend((spec_of(model).table(), e.id, e.version) for e in found)
    return sorted(rows)


def related(model: type[Entity]) -> list[type[Entity]]:
    """``model`` and every entity it refers to, directly or not (what a test may touch)."""
    seen: list[type[Entity]] = []
    pending = [model]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.append(current)
        pending.extend(ref.target for ref in spec_of(current).refs)
    return seen


__all__ = ["BATCH", "DATASET", "entity_snapshot", "related", "stored_dataset", "walk_pages"]
