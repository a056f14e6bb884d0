"""Contract: declared entities inside units of work (``uow.repository(Model)``).

Both ways: a store with transactions commits and rolls back declared entities
with everything else in the unit; a store without them refuses the unit with
``CapabilityError``.
"""

from __future__ import annotations

import pytest

from repokit.domain.entity import Entity
from repokit.domain.errors import CapabilityError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.entity_samples import Samples
from repokit.testing.entity_stored import entity_snapshot


class _Boom(Exception):
    pass


async def _write_then_fail(
    store: StorePort, entity: type[Entity], new: Entity, stored: Entity
) -> None:
    """Insert, update and delete in one unit, then fail before its end."""
    async with store.unit_of_work() as uow:
        await uow.repository(entity).save(new)
        await uow.repository(entity).save(stored)
        await uow.repository(entity).delete(stored.id)
        raise _Boom


class EntityUnitContract(ContractMixin):
    """Units of work commit or roll back declared entities as one."""

    entities: tuple[type[Entity], ...] = ()

    async def test_a_unit_commits_its_entities_together(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        first, second = await samples.new(entity), await samples.new(entity)
        if not store.capabilities.transactions:
            with pytest.raises(CapabilityError):
                store.unit_of_work()
            return
        async with store.unit_of_work() as uow:
            await uow.repository(entity).save(first)
            await uow.repository(entity).save_many([second])
            seen = await uow.repository(entity).get_by_id(first.id)
            assert seen is not None
        for new in (first, second):
            assert await store.repository(entity).get_by_id(new.id) is not None

    async def test_a_unit_that_raises_stores_nothing(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        stored = await samples.stored(entity)
        new = await samples.new(entity)
        if not store.capabilities.transactions:
            with pytest.raises(CapabilityError):
                store.unit_of_work()
            return
        before = await entity_snapshot(store, self.entities)
        with pytest.raises(_Boom):
            await _write_then_fail(store, entity, new, stored)
        assert await entity_snapshot(store, self.entities) == before

    async def test_a_unit_sees_its_own_writes_in_listings_and_counts(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        new = await samples.new(entity)
        if not store.capabilities.transactions:
            with pytest.raises(CapabilityError):
                store.unit_of_work()
            return
        async with store.unit_of_work() as uow:
            repository = uow.repository(entity)
            before = await repository.count()
            await repository.save(new)
            assert await repository.count() == before + 1
            assert new.id in [e.id for e in await repository.list(0, 10_000)]
            await uow.rollback()
            assert await repository.get_by_id(new.id) is None


__all__ = ["EntityUnitContract"]
