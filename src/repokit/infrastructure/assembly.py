"""Building a pydantic model from values that are already valid, at the lowest cost.

Reads are the hot path: a row read back from repokit's own tables was validated
when it was written, so it becomes an entity without a second validation.
pydantic's ``model_construct`` does that but still walks the model's fields
(defaults, aliases, the fields-set bookkeeping) on every call; :func:`assemble`
sets the instance's four slots directly, which is what ``model_construct`` ends
with when every field is given. It is only for models where that is the whole
state (:func:`assemblable`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_set = object.__setattr__  # models validate assignments; these are pydantic's own slots


def assemble(model: type[M], fields: dict[str, Any], names: frozenset[str]) -> M:
    """An instance of ``model`` holding ``fields`` (every field of the model), built the
    way ``model_construct`` builds one; ``names`` are the fields set."""
    instance = model.__new__(model)
    _set(instance, "__dict__", fields)
    _set(instance, "__pydantic_fields_set__", set(names))
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


def restamped(entity: M, update: Mapping[str, Any]) -> M:
    """A copy of ``entity`` with the fields of ``update`` replaced: what
    ``entity.model_copy(update=update)`` returns (a shallow copy, ``update`` not
    validated, its fields marked set), without that method's generic bookkeeping,
    which costs as much as encoding the entity on a batch save."""
    if entity.__pydantic_extra__ is not None or entity.__pydantic_private__ is not None:
        return entity.model_copy(update=update)
    instance = type(entity).__new__(type(entity))
    fields = entity.__dict__.copy()
    fields.update(update)
    _set(instance, "__dict__", fields)
    names = entity.__pydantic_fields_set__.copy()
    names.update(update)
    _set(instance, "__pydantic_fields_set__", names)
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


def assemblable(model: type[BaseModel], fields: frozenset[str]) -> bool:
    """True when values for ``fields`` are the whole state of a ``model`` instance: they
    are all its fields, and it has no private attributes, post-init hook or extras."""
    return (
        fields == frozenset(model.model_fields)
        and not model.__private_attributes__
        and not model.__pydantic_post_init__
        and model.model_config.get("extra") != "allow"
    )


__all__ = ["assemblable", "assemble", "restamped"]
