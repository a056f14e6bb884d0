"""``EntityContract``: the contract suite for a service's own declared entities.

Name the entity classes and give a ``store`` fixture; every test runs for each
class (and for each unique group, reference, immutable field and ordering the
classes declare), on whatever backend the fixture opens::

    import pytest
    import repokit
    from repokit.testing import EntityContract

    from myservice.domain import Customer, Order

    class TestMyEntities(EntityContract):
        entities = (Customer, Order)

        @pytest.fixture
        async def store(self):
            store = await repokit.connect("sqlite:///:memory:")
            await store.migrate()
            yield store
            await store.close()

The sync form is ``repokit.testing.sync.EntityContract`` with a plain ``store``
fixture from ``repokit.connect_sync``. Sample values come from the field types
(:mod:`.entity_samples`), so nothing but the classes has to be written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from repokit.domain.entity import Entity
from repokit.domain.entity_spec import FieldKind, spec_of
from repokit.testing.entity_queries import EntityFilterContract, EntityOrderingContract
from repokit.testing.entity_refs import EntityRefContract
from repokit.testing.entity_saves import EntitySaveContract
from repokit.testing.entity_unique import EntityUniqueContract
from repokit.testing.entity_units import EntityUnitContract


def entity_cases(entities: Sequence[type[Entity]]) -> dict[str, list[tuple[Any, str]]]:
    """The parameters of each fixture the entity tests take, each with its test id."""
    if not entities:
        raise TypeError(
            "set `entities = (MyEntity, ...)` on the EntityContract subclass: the declared "
            "classes to check"
        )
    cases: dict[str, list[tuple[Any, str]]] = {
        "entity": [],
        "unique_group": [],
        "nullable_unique": [],
        "immutable_field": [],
        "reference": [],
        "nullable_reference": [],
        "ordering": [],
    }
    for model in entities:
        spec = spec_of(model)
        name = model.__name__
        cases["entity"].append((model, name))
        for group in spec.unique:
            cases["unique_group"].append(((model, group), f"{name}-{'+'.join(group)}"))
            if len(group) == 1 and spec.field(group[0]).nullable:
                cases["nullable_unique"].append(((model, group[0]), f"{name}-{group[0]}"))
        for field in spec.fields:
            if field.immutable:
                cases["immutable_field"].append(((model, field.name), f"{name}-{field.name}"))
            if field.kind is not FieldKind.JSON and not field.nullable:
                for descending in (False, True):
                    direction = "desc" if descending else "asc"
                    cases["ordering"].append(
                        ((model, field.name, descending), f"{name}-{field.name}-{direction}")
                    )
        for ref in spec.refs:
            cases["reference"].append(((model, ref), f"{name}-{ref.field}"))
            if spec.field(ref.field).nullable:
                cases["nullable_reference"].append(((model, ref), f"{name}-{ref.field}"))
    return cases


class EntityContract(
    EntitySaveContract,
    EntityUniqueContract,
    EntityFilterContract,
    EntityOrderingContract,
    EntityRefContract,
    EntityUnitContract,
):
    """The whole entity contract: inherit it, set ``entities`` and provide ``store``."""

    entities: tuple[type[Entity], ...] = ()
    """The declared entity classes the tests run for."""

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Run each test once per entity (or unique group, reference, ordering, ...)."""
        cases = entity_cases(self.entities)
        for fixture, params in cases.items():
            if fixture in metafunc.fixturenames:
                metafunc.parametrize(
                    fixture, [value for value, _ in params], ids=[label for _, label in params]
                )


ENTITY_CAPABILITIES: tuple[type, ...] = EntityContract.__bases__
"""The entity contract's capability classes, in the order their tests run."""


__all__ = ["ENTITY_CAPABILITIES", "EntityContract", "entity_cases"]
