"""Building entities from trusted values without pydantic's model_construct walk."""

from __future__ import annotations

from uuid import uuid4

from pydantic import BaseModel, PrivateAttr

from repokit.domain.entities import Chunk
from repokit.infrastructure.assembly import assemblable, assemble, restamped


def test_an_assembled_entity_equals_the_constructed_one() -> None:
    values = {
        "id": uuid4(),
        "document_id": uuid4(),
        "ordinal": 3,
        "content": "text",
        "embedding": [0.5, 0.25],
        "metadata": {"a": 1},
    }
    names = frozenset(values)
    assert assemblable(Chunk, names)
    built = assemble(Chunk, dict(values), names)
    assert built == Chunk.model_construct(**values)
    assert built.model_fields_set == set(values)
    assert built.model_dump() == values


def test_only_models_whose_fields_are_their_whole_state_are_assemblable() -> None:
    class WithPrivate(BaseModel):
        a: int
        _cache: int = PrivateAttr(default=0)

    assert not assemblable(WithPrivate, frozenset({"a"}))
    assert not assemblable(Chunk, frozenset({"id", "content"}))


def test_a_restamped_entity_is_what_model_copy_makes() -> None:
    chunk = Chunk(document_id=uuid4(), ordinal=1, content="text", embedding=[0.5])
    update = {"ordinal": 2, "metadata": {"b": 2}}
    made, expected = restamped(chunk, update), chunk.model_copy(update=update)
    assert made == expected
    assert made.model_fields_set == expected.model_fields_set
    assert made is not chunk
    assert chunk.ordinal == 1
    assert made.embedding is chunk.embedding  # shallow, as model_copy


def test_a_model_with_private_state_is_restamped_by_model_copy() -> None:
    class WithPrivate(BaseModel):
        a: int
        _cache: int = PrivateAttr(default=0)

    made = restamped(WithPrivate(a=1), {"a": 2})
    assert made.a == 2
    assert made._cache == 0
