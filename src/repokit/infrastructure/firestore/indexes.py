"""The composite indexes repokit's queries need on Firestore, as ``firestore.indexes.json``.

Firestore answers a query with equality filters and an order on another field
only from a composite index; single-field indexes exist by default. The emulator
needs none, so this file is for a real database: ``repokit migrate --indexes
firestore.indexes.json`` writes it (``-`` prints it) and ``firebase deploy
--only firestore:indexes`` (or ``gcloud firestore indexes composite create``)
creates them. It lists:

* every declared entity's ``Indexed`` and ``Unique`` fields (and ``Ref`` fields)
  filtered by equality and listed in id order, ascending and descending, and the
  listings ordered by such a field (field, then id);
* the built-in collections' listings: documents by workspace and creation time,
  audit events by criterion and time, a chat session's messages newest first;
* the vector index of the chunks' ``embedding`` (flat, of ``REPOKIT_EMBEDDING_DIM``)
  that ``find_nearest`` needs (without it the search scans, exactly, instead).

Filters Firestore cannot answer alone (see :mod:`.filters`) need no index: they
are evaluated on the streamed results.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from repokit.domain.entity import declared_entities
from repokit.domain.entity_spec import FieldKind, spec_of
from repokit.infrastructure.firestore.tables import AUDIT_COLLECTION, CHATS_COLLECTION, CHUNKS

Index = tuple[str, tuple[tuple[str, str], ...]]
"""A collection and its ``(field, ASCENDING|DESCENDING)`` list."""

_ASC, _DESC = "ASCENDING", "DESCENDING"


def _ordered(collection: str, equal: Iterable[str], order: str | None) -> list[Index]:
    """The indexes of ``equal`` filters with the listing ordered by ``order`` then id,
    both directions."""
    indexes: list[Index] = []
    for direction in (_ASC, _DESC):
        fields = [(name, _ASC) for name in equal]
        if order is not None:
            fields.append((order, direction))
        fields.append(("id", direction))
        if len(fields) > 1:
            indexes.append((collection, tuple(fields)))
    return indexes


def builtin_indexes() -> list[Index]:
    """The indexes of the built-in collections' queries."""
    out: list[Index] = []
    for order in ("created_at", "updated_at", "title"):
        out += _ordered("documents", [], order)
        out += _ordered("documents", ["workspace_id"], order)
    out += _ordered("documents", ["workspace_id"], None)
    for criterion in ("entity_type", "entity_id", "actor_id"):
        out += _ordered(AUDIT_COLLECTION, [criterion], "occurred_at")
    out += _ordered(AUDIT_COLLECTION, [], "occurred_at")
    out += _ordered(CHATS_COLLECTION, ["session_id"], "created_at")
    return out


def entity_indexes() -> list[Index]:
    """The indexes of every declared entity's indexed, unique and reference fields."""
    out: list[Index] = []
    for model in declared_entities():
        spec = spec_of(model)
        collection = spec.table()
        keyed = [f.name for f in spec.fields if (f.indexed or f.unique or f.ref) and f.name != "id"]
        for name in keyed:
            out += _ordered(collection, [name], None)
            if spec.field(name).kind is not FieldKind.JSON and not spec.field(name).nullable:
                out += _ordered(collection, [], name)
        for group in spec.unique:
            if len(group) > 1:
                out += _ordered(collection, list(group), None)
    return out


def indexes_document(embedding_dim: int) -> dict[str, Any]:
    """``firestore.indexes.json``'s content (duplicates removed, order kept)."""
    seen: dict[Index, None] = dict.fromkeys([*builtin_indexes(), *entity_indexes()])
    indexes: list[dict[str, Any]] = [
        {
            "collectionGroup": collection,
            "queryScope": "COLLECTION",
            "fields": [{"fieldPath": name, "order": order} for name, order in fields],
        }
        for collection, fields in seen
    ]
    indexes.append(
        {
            "collectionGroup": CHUNKS,
            "queryScope": "COLLECTION_GROUP",
            "fields": [
                {"fieldPath": "embedding", "vectorConfig": {"dimension": embedding_dim, "flat": {}}}
            ],
        }
    )
    return {"indexes": indexes, "fieldOverrides": []}


def indexes_json(embedding_dim: int) -> str:
    """:func:`indexes_document` as the JSON text of the file."""
    return json.dumps(indexes_document(embedding_dim), indent=2) + "\n"


__all__ = ["builtin_indexes", "entity_indexes", "indexes_document", "indexes_json"]
