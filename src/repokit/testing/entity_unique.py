"""Contract: unique fields and compound unique constraints, and ``get_by``."""

from __future__ import annotations

from typing import Any

import pytest

from repokit.domain.entity import Entity
from repokit.domain.entity_spec import spec_of
from repokit.domain.errors import DuplicateError, InvalidQueryError
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.entity_samples import Samples
from repokit.testing.entity_stored import entity_snapshot

UniqueGroup = tuple[type[Entity], tuple[str, ...]]


def values_of(entity: Entity, group: tuple[str, ...]) -> dict[str, Any]:
    """The entity's values of a unique group."""
    return {name: entity.__dict__[name] for name in group}


class EntityUniqueContract(ContractMixin):
    """Every unique group refuses a second entity with its values; ``get_by`` finds by them."""

    entities: tuple[type[Entity], ...] = ()

    async def test_a_second_entity_with_the_same_unique_values_raises_duplicate_error(
        self, store: StorePort, unique_group: UniqueGroup
    ) -> None:
        entity, group = unique_group
        samples = Samples(store)
        first = await samples.stored(entity)
        twin = await samples.new(entity, **values_of(first, group))
        before = await entity_snapshot(store, self.entities)
        with pytest.raises(DuplicateError):
            await store.repository(entity).save(twin)
        assert await entity_snapshot(store, self.entities) == before

    async def test_an_update_onto_a_taken_unique_value_raises_duplicate_error(
        self, store: StorePort, unique_group: UniqueGroup
    ) -> None:
        entity, group = unique_group
        samples = Samples(store)
        first = await samples.stored(entity)
        second = await samples.stored(entity)
        with pytest.raises(DuplicateError):
            await store.repository(entity).save(
                second.model_copy(update=values_of(first, group))
            )
        fetched = await store.repository(entity).get_by_id(second.id)
        assert fetched is not None
        assert values_of(fetched, group) == values_of(second, group)

    async def test_a_unique_value_freed_by_an_update_can_be_taken(
        self, store: StorePort, unique_group: UniqueGroup
    ) -> None:
        entity, group = unique_group
        samples = Samples(store)
        first = await samples.stored(entity)
        taken = values_of(first, group)
        fresh = values_of(await samples.new(entity), group)
        await store.repository(entity).save(first.model_copy(update=fresh))
        newcomer = await store.repository(entity).save(await samples.new(entity, **taken))
        found = await store.repository(entity).get_by(**taken)
        assert found is not None
        assert found.id == newcomer.id

    async def test_save_many_with_two_entities_sharing_unique_values_stores_neither(
        self, store: StorePort, unique_group: UniqueGroup
    ) -> None:
        entity, group = unique_group
        samples = Samples(store)
        first = await samples.new(entity)
        second = await samples.new(entity, **values_of(first, group))
        before = await entity_snapshot(store, self.entities)
        with pytest.raises(DuplicateError):
            await store.repository(entity).save_many([first, second])
        assert await entity_snapshot(store, self.entities) == before

    async def test_get_by_finds_the_entity_by_its_unique_values(
        self, store: StorePort, unique_group: UniqueGroup
    ) -> None:
        entity, group = unique_group
        samples = Samples(store)
        wanted = await samples.stored(entity)
        await samples.stored(entity)
        found = await store.repository(entity).get_by(**values_of(wanted, group))
        assert found is not None
        assert found.id == wanted.id

    async def test_get_by_of_values_nobody_has_returns_none(
        self, store: StorePort, unique_group: UniqueGroup
    ) -> None:
        entity, group = unique_group
        samples = Samples(store)
        await samples.stored(entity)
        unused = values_of(await samples.new(entity), group)
        assert await store.repository(entity).get_by(**unused) is None

    async def test_get_by_sees_a_unique_value_change_at_once(
        self, store: StorePort, unique_group: UniqueGroup
    ) -> None:
        entity, group = unique_group
        samples = Samples(store)
        stored = await samples.stored(entity)
        old = values_of(stored, group)
        repository = store.repository(entity)
        assert await repository.get_by(**old) is not None
        fresh = values_of(await samples.new(entity), group)
        await repository.save(stored.model_copy(update=fresh))
        assert await repository.get_by(**old) is None
        found = await repository.get_by(**fresh)
        assert found is not None
        assert found.version == 2

    async def test_several_entities_may_leave_an_optional_unique_field_null(
        self, store: StorePort, nullable_unique: tuple[type[Entity], str]
    ) -> None:
        entity, name = nullable_unique
        samples = Samples(store)
        first = await samples.stored(entity, **{name: None})
        second = await samples.stored(entity, **{name: None})
        assert first.__dict__[name] is None
        assert second.__dict__[name] is None
        with pytest.raises(InvalidQueryError):
            await store.repository(entity).get_by(**{name: None})

    async def test_get_by_refuses_fields_that_are_not_one_unique_group(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        spec = spec_of(entity)
        unique = {name for group in spec.unique for name in group}
        plain = [f.name for f in spec.fields if f.name not in unique and f.name != "id"]
        repository = store.repository(entity)
        with pytest.raises(InvalidQueryError):
            await repository.get_by(**{plain[0]: 1})
        with pytest.raises(InvalidQueryError):
            await repository.get_by()

    async def test_get_by_id_field_finds_the_entity(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        stored = await Samples(store).stored(entity)
        found = await store.repository(entity).get_by(id=stored.id)
        assert found is not None
        assert found.id == stored.id


__all__ = ["EntityUniqueContract", "UniqueGroup", "values_of"]
