"""The indexes of declared entities, derived from their specs, beside repokit's own.

Each declared entity's collection gets, with stable names:

* ``uq_<collection>_<fields>`` (unique) for each ``Unique()`` field and each compound
  unique constraint; an optional field's index is partial (only documents where
  the field holds a value), so several entities may leave it null, as in SQL;
* ``ix_<collection>_<fields>`` with ``_id`` last for each ``Indexed()`` field,
  each ``Ref`` and each compound index: filters on the fields, orderings by the
  first one then id (keyset pages included) and the reference checks of deletes
  are index scans.

A decimal field is indexed at its order key (``<field>.key``). An index whose
keys one of :data:`~.schema.INDEXES` already has keeps that index's name (the
built-in ``users`` and ``workspaces`` are declared entities too).
"""

from __future__ import annotations

from collections.abc import Iterable

from repokit.domain.entity_spec import EntitySpec, spec_of
from repokit.infrastructure.mongo.entity_codec import ID_PATH, stored_field
from repokit.infrastructure.mongo.schema import INDEXES, IndexSpec


def entity_indexes(spec: EntitySpec) -> tuple[IndexSpec, ...]:
    """The unique and secondary indexes of one declared entity."""
    collection = spec.table()

    def paths(group: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(stored_field(spec, spec.field(name)).path for name in group)

    indexes: list[IndexSpec] = []
    for group in spec.unique:
        first = spec.field(group[0])
        partial = stored_field(spec, first).lowest if first.nullable else None
        indexes.append(
            IndexSpec(collection, index_name("uq", collection, group), paths(group), True, partial)
        )
    indexes.extend(
        IndexSpec(collection, index_name("ix", collection, group), (*paths(group), ID_PATH))
        for group in spec.indexes
    )
    return tuple(indexes)


def index_name(prefix: str, collection: str, group: tuple[str, ...]) -> str:
    """``uq_orders_sku``, ``ix_orders_status_placed_at``: a stable name from the fields."""
    return "_".join((prefix, collection, *group))


def schema_indexes(models: Iterable[type]) -> tuple[IndexSpec, ...]:
    """repokit's own indexes, then those of ``models`` that no earlier index already has."""
    indexes = list(INDEXES)
    known = {(index.collection, index.keys) for index in indexes}
    for model in models:
        for index in entity_indexes(spec_of(model)):
            if (index.collection, index.keys) not in known:
                known.add((index.collection, index.keys))
                indexes.append(index)
    return tuple(indexes)


__all__ = ["entity_indexes", "index_name", "schema_indexes"]
