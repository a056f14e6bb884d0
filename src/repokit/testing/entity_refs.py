"""Contract: references between declared entities (``Ref``), cascades and restrictions."""

from __future__ import annotations

import pytest

from repokit.domain.entity import Entity
from repokit.domain.entity_spec import RefSpec, spec_of
from repokit.domain.errors import InUseError, NotFoundError
from repokit.domain.ids import uuid7
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.entity_samples import Samples
from repokit.testing.entity_stored import entity_snapshot

Reference = tuple[type[Entity], RefSpec]


class EntityRefContract(ContractMixin):
    """A reference needs its target; deleting the target cascades or is refused."""

    entities: tuple[type[Entity], ...] = ()

    async def test_saving_with_a_missing_target_raises_not_found_error_and_stores_nothing(
        self, store: StorePort, reference: Reference
    ) -> None:
        entity, ref = reference
        samples = Samples(store)
        orphan = await samples.new(entity, **{ref.field: uuid7()})
        before = await entity_snapshot(store, self.entities)
        with pytest.raises(NotFoundError):
            await store.repository(entity).save(orphan)
        with pytest.raises(NotFoundError):
            await store.repository(entity).save_many([orphan])
        assert await entity_snapshot(store, self.entities) == before

    async def test_an_update_onto_a_missing_target_raises_not_found_error(
        self, store: StorePort, reference: Reference
    ) -> None:
        entity, ref = reference
        stored = await Samples(store).stored(entity)
        with pytest.raises(NotFoundError):
            await store.repository(entity).save(stored.model_copy(update={ref.field: uuid7()}))
        fetched = await store.repository(entity).get_by_id(stored.id)
        assert fetched is not None
        assert fetched.__dict__[ref.field] == stored.__dict__[ref.field]

    async def test_deleting_the_target_cascades_or_is_refused(
        self, store: StorePort, reference: Reference
    ) -> None:
        entity, ref = reference
        samples = Samples(store)
        child = await samples.stored(entity)
        target_id = child.__dict__[ref.field]
        targets = store.repository(ref.target)
        if ref.on_delete == "cascade":
            assert await targets.delete(target_id) is True
            assert await store.repository(entity).get_by_id(child.id) is None
            return
        before = await entity_snapshot(store, self.entities)
        with pytest.raises(InUseError):
            await targets.delete(target_id)
        assert await entity_snapshot(store, self.entities) == before
        assert await store.repository(entity).delete(child.id) is True
        assert await targets.delete(target_id) is True

    async def test_a_cascade_leaves_the_entities_of_other_targets_alone(
        self, store: StorePort, reference: Reference
    ) -> None:
        entity, ref = reference
        samples = Samples(store)
        child = await samples.stored(entity)
        other = await samples.stored(entity)
        await store.repository(entity).delete(child.id)
        assert await store.repository(ref.target).delete(child.__dict__[ref.field]) is True
        assert await store.repository(entity).get_by_id(other.id) is not None

    async def test_a_null_reference_needs_no_target(
        self, store: StorePort, nullable_reference: Reference
    ) -> None:
        entity, ref = nullable_reference
        saved = await Samples(store).stored(entity, **{ref.field: None})
        fetched = await store.repository(entity).get_by_id(saved.id)
        assert fetched is not None
        assert fetched.__dict__[ref.field] is None

    async def test_the_reference_field_filters_like_any_field(
        self, store: StorePort, reference: Reference
    ) -> None:
        entity, ref = reference
        samples = Samples(store)
        first = await samples.stored(entity)
        await samples.stored(entity)
        found = await store.repository(entity).list(where={ref.field: first.__dict__[ref.field]})
        assert [e.id for e in found] == [first.id]
        assert spec_of(entity).field(ref.field).indexed


__all__ = ["EntityRefContract", "Reference"]
