"""Building entities from trusted values without pydantic's model_construct walk."""

from __future__ import annotations

from uuid import uuid4

from pydantic import BaseModel, PrivateAttr

from repokit.domain.entities import Chunk
from repokit.infrastructure.assembly import assemblable, assemble


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
