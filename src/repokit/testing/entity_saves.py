"""Contract: the save rules, reads by id and deletes of every declared entity."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given

from repokit.domain.entity import Entity
from repokit.domain.entity_spec import spec_of
from repokit.domain.errors import (
    ConcurrencyError,
    DeclarationError,
    DuplicateError,
    NotFoundError,
)
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.bridge import run_check, store_caller
from repokit.testing.entity_samples import Samples, entity_values, sample_value
from repokit.testing.entity_stored import entity_snapshot
from repokit.testing.hypothesis_settings import PropertySettings

ROUND_TRIPS = 25
"""Random entities per class whose every value must read back exactly."""
LARGE_BATCH = 500
"""A batch longer than any backend's single statement or request."""

ROUND_TRIP_SETTINGS = PropertySettings(
    ROUND_TRIPS, HealthCheck.too_slow, HealthCheck.data_too_large
)


def assert_same_entity(actual: Any, expected: Any) -> None:
    """Equal field by field, with the same types (``1.0`` is not ``1``, ``Decimal`` scale kept)."""
    assert type(actual) is type(expected)
    for name in type(expected).model_fields:
        got, want = actual.__dict__[name], expected.__dict__[name]
        assert got == want, f"{type(expected).__name__}.{name}: {got!r} != {want!r}"
        assert type(got) is type(want), f"{name}: {type(got).__name__} is not {type(want).__name__}"
        if hasattr(want, "as_tuple"):
            assert str(got) == str(want), f"{name}: {got} lost its scale ({want})"


class EntitySaveContract(ContractMixin):
    """Insert, update, optimistic locking, batches, reads by id and deletes."""

    entities: tuple[type[Entity], ...] = ()

    async def test_save_inserts_with_version_1_and_reads_back_the_same_values(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        new = await samples.new(entity)
        saved = await store.repository(entity).save(new)
        assert saved.version == 1
        assert saved.id == new.id
        fetched = await store.repository(entity).get_by_id(new.id)
        assert fetched is not None
        assert_same_entity(fetched, saved)

    async def test_values_of_every_type_round_trip_exactly(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        template = await samples.new(entity)
        references = {ref.field: template.__dict__[ref.field] for ref in spec_of(entity).refs}
        repository = store.repository(entity)
        on_loop = await store_caller()

        @ROUND_TRIP_SETTINGS
        @given(values=entity_values(entity))
        def check(values: dict[str, Any]) -> None:
            # Each example is deleted again, so unique values never clash between them.
            candidate = entity(**{**values, **references})
            saved = on_loop(repository.save(candidate))
            fetched = on_loop(repository.get_by_id(candidate.id))
            assert fetched is not None
            assert_same_entity(fetched, saved)
            assert on_loop(repository.delete(candidate.id)) is True

        await run_check(check)

    async def test_save_returns_a_new_instance_and_leaves_its_argument_alone(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        new = await Samples(store).new(entity)
        before = new.model_dump()
        saved = await store.repository(entity).save(new)
        assert saved is not new
        assert new.model_dump() == before
        assert new.version == 0

    async def test_a_new_entity_with_a_stored_id_raises_duplicate_error_and_changes_nothing(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        stored = await samples.stored(entity)
        twin = await samples.new(entity, id=stored.id)
        before = await entity_snapshot(store, self.entities)
        with pytest.raises(DuplicateError):
            await store.repository(entity).save(twin)
        assert await entity_snapshot(store, self.entities) == before

    async def test_an_update_stores_the_next_version_and_the_new_values(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        stored = await samples.stored(entity)
        changes = _changed_values(entity, samples)
        updated = await store.repository(entity).save(stored.model_copy(update=changes))
        assert updated.version == 2
        fetched = await store.repository(entity).get_by_id(stored.id)
        assert fetched is not None
        assert_same_entity(fetched, updated)
        for name, value in changes.items():
            if not spec_of(entity).field(name).immutable:
                assert fetched.__dict__[name] == value

    async def test_an_update_with_a_stale_version_raises_concurrency_error(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        stored = await Samples(store).stored(entity)
        repository = store.repository(entity)
        await repository.save(stored)
        with pytest.raises(ConcurrencyError):
            await repository.save(stored)
        fetched = await repository.get_by_id(stored.id)
        assert fetched is not None
        assert fetched.version == 2

    async def test_an_update_of_an_unknown_id_raises_not_found_error(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        ghost = (await Samples(store).new(entity)).model_copy(update={"version": 3})
        with pytest.raises(NotFoundError):
            await store.repository(entity).save(ghost)
        assert await store.repository(entity).get_by_id(ghost.id) is None

    async def test_immutable_fields_keep_their_stored_value_on_update(
        self, store: StorePort, immutable_field: tuple[type[Entity], str]
    ) -> None:
        entity, name = immutable_field
        samples = Samples(store)
        stored = await samples.stored(entity)
        other = sample_value(spec_of(entity), spec_of(entity).field(name), samples.count + 50)
        updated = await store.repository(entity).save(stored.model_copy(update={name: other}))
        assert updated.__dict__[name] == stored.__dict__[name]
        fetched = await store.repository(entity).get_by_id(stored.id)
        assert fetched is not None
        assert fetched.__dict__[name] == stored.__dict__[name]

    async def test_save_many_stores_every_entity(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        batch = [await samples.new(entity) for _ in range(5)]
        saved = await store.repository(entity).save_many(batch)
        assert [e.id for e in saved] == [e.id for e in batch]
        assert [e.version for e in saved] == [1] * 5
        for new in batch:
            assert await store.repository(entity).get_by_id(new.id) is not None

    async def test_save_many_mixes_inserts_and_updates(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        stored = await samples.stored(entity)
        new = await samples.new(entity)
        saved = await store.repository(entity).save_many([stored, new])
        assert [e.version for e in saved] == [2, 1]

    async def test_save_many_with_one_failing_entity_stores_none_of_them(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        stored = await samples.stored(entity)
        batch = [await samples.new(entity) for _ in range(3)]
        batch.insert(2, await samples.new(entity, id=stored.id))
        before = await entity_snapshot(store, self.entities)
        with pytest.raises(DuplicateError):
            await store.repository(entity).save_many(batch)
        assert await entity_snapshot(store, self.entities) == before

    async def test_save_many_with_an_id_twice_raises_duplicate_error(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        first = await samples.new(entity)
        second = await samples.new(entity, id=first.id)
        with pytest.raises(DuplicateError):
            await store.repository(entity).save_many([first, second])
        assert await store.repository(entity).get_by_id(first.id) is None

    async def test_save_many_of_no_entities_returns_an_empty_list(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        assert await store.repository(entity).save_many([]) == []

    async def test_a_large_batch_is_stored_whole_at_the_default_settings(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        samples = Samples(store)
        template = await samples.new(entity)
        references = {ref.field: template.__dict__[ref.field] for ref in spec_of(entity).refs}
        batch = [entity(**{**samples.values(entity), **references}) for _ in range(LARGE_BATCH)]
        saved = await store.repository(entity).save_many(batch)
        assert len(saved) == LARGE_BATCH
        assert await store.repository(entity).count() == LARGE_BATCH

    async def test_get_by_id_of_an_unknown_id_returns_none(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        assert await store.repository(entity).get_by_id(uuid4()) is None

    async def test_delete_returns_true_once_then_false(
        self, store: StorePort, entity: type[Entity]
    ) -> None:
        stored = await Samples(store).stored(entity)
        repository = store.repository(entity)
        assert await repository.delete(stored.id) is True
        assert await repository.get_by_id(stored.id) is None
        assert await repository.delete(stored.id) is False

    async def test_the_repository_of_a_class_that_is_not_a_declared_entity_is_refused(
        self, store: StorePort
    ) -> None:
        with pytest.raises(DeclarationError):
            store.repository(Entity)


def _changed_values(entity: type[Entity], samples: Samples) -> dict[str, Any]:
    """New values for every field an update may change (not references, ids or versions)."""
    spec = spec_of(entity)
    samples.count += 100
    return {
        f.name: sample_value(spec, f, samples.count)
        for f in spec.fields
        if f.name not in ("id", "version") and f.ref is None
    }


__all__ = ["EntitySaveContract", "assert_same_entity"]
