"""Listings of one collection: a filter split (:mod:`.filters`), an order, a keyset start.

:func:`listing` builds the :class:`~.listing.Listing` every ``list``, ``page``,
``count`` and ``get_by`` runs: Firestore filters what it can, orders by the
field then the document id (the entity's id, whose text sorts as UUIDs do) and
starts after a cursor's position; the rest is the reference evaluator's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from google.cloud.firestore_v1 import Query

from repokit.domain.matching import matches
from repokit.domain.query import FieldRef, FilterNode
from repokit.infrastructure.firestore.codec import ModelCodec
from repokit.infrastructure.firestore.filters import split_filter
from repokit.infrastructure.firestore.listing import Listing
from repokit.infrastructure.firestore.paths import collection_path
from repokit.infrastructure.firestore.values import to_store

M = TypeVar("M")

Read = Callable[[Any, FieldRef], tuple[bool, Any]]
ID_FIELD = "id"
"""Every listed model's id, also stored as a field: the emulator refuses descending
scans of document keys, so listings order by this field instead."""


def listing(
    collection: Any,
    codec: ModelCodec[Any],
    node: FilterNode | None,
    *,
    order: str | None,
    order_value: Callable[[Any], Any],
    descending: bool = False,
    after: tuple[Any, UUID] | None = None,
    read: Read | None = None,
    decode: Callable[[dict[str, Any]], Any] | None = None,
) -> Listing[Any]:
    """The listing of ``collection`` matching ``node``, ordered by ``order`` then id
    (``order`` None: by id alone), after the position ``after`` if given.

    ``order_value(entity)`` is the order field's value as the domain compares it;
    ``read`` is the reference evaluator's field reader (attributes by default);
    ``decode`` replaces the codec's.
    """
    split = split_filter(node, codec.kind, order)
    query = split.apply(collection)
    direction = Query.DESCENDING if descending else Query.ASCENDING
    if order is not None:
        query = query.order_by(order, direction=direction)
    query = query.order_by(ID_FIELD, direction=direction)
    if after is not None:
        value, id_ = after
        position: dict[str, Any] = {ID_FIELD: str(id_)}
        if order is not None:
            kind = codec.kind(order)
            assert kind is not None
            position = {order: to_store(kind, value), **position}
        query = query.start_after(position)

    def evaluate(entity: Any, clause: FilterNode | None) -> bool:
        return matches(clause, entity) if read is None else matches(clause, entity, read)

    def key(entity: Any) -> tuple[Any, UUID]:
        return (order_value(entity) if order is not None else None, entity.id)

    def full(entity: Any) -> bool:
        if not evaluate(entity, node):
            return False
        if after is None:
            return True
        position = key(entity)
        return position < after if descending else position > after

    residual = split.residual
    return Listing(
        query=query,
        parent=collection_path(collection),
        decode=codec.decode if decode is None else decode,
        residual=None if residual is None else (lambda entity: evaluate(entity, residual)),
        full=full,
        sort_key=key,
        descending=descending,
        scan=collection,
    )


__all__ = ["ID_FIELD", "listing"]
