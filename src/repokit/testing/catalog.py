"""The filter contract's catalog: eight documents whose metadata covers every edge.

=======  ==========================================================================
title    metadata
=======  ==========================================================================
apple    n=1, s="a", flag=True, tags=["red","green"], info={color: red, size: {cm: 8}},
         nothing=null; workspace A
banana   n=2.5, s="b", flag=False, tags=["yellow"], info={color: yellow, size: {cm: 20}};
         workspace A
cherry   n=3, s="B", tags=[], info={color: red}, nums=[1,5,9]; workspace B
date     n="3", s="ä", info="brown"
elder    (no metadata)
fig      n=True, s=null, nothing=0, nums=[2,"5"]
grape    n=1.0, tags=["green", null], items=[{k: 1}], big=2**53+1
kiwi     n=-4, s="ab", nums=5, big=2**53, with-dash_and_underscore=1
=======  ==========================================================================

Each document is created one second after the previous one, from ``at(0)``, so
listings in ``created_at`` order follow the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from repokit.domain.entities import Document, Workspace
from repokit.domain.ports import StorePort
from repokit.testing.samples import at, document
from repokit.testing.stored import stored_user, stored_workspace

TITLES = ("apple", "banana", "cherry", "date", "elder", "fig", "grape", "kiwi")

METADATA: dict[str, dict[str, Any]] = {
    "apple": {
        "n": 1,
        "s": "a",
        "flag": True,
        "tags": ["red", "green"],
        "info": {"color": "red", "size": {"cm": 8}},
        "nothing": None,
    },
    "banana": {
        "n": 2.5,
        "s": "b",
        "flag": False,
        "tags": ["yellow"],
        "info": {"color": "yellow", "size": {"cm": 20}},
    },
    "cherry": {"n": 3, "s": "B", "tags": [], "info": {"color": "red"}, "nums": [1, 5, 9]},
    "date": {"n": "3", "s": "ä", "info": "brown"},
    "elder": {},
    "fig": {"n": True, "s": None, "nothing": 0, "nums": [2, "5"]},
    "grape": {"n": 1.0, "tags": ["green", None], "items": [{"k": 1}], "big": 2**53 + 1},
    "kiwi": {"n": -4, "s": "ab", "nums": 5, "big": 2**53, "with-dash_and_underscore": 1},
}


@dataclass(frozen=True, slots=True)
class Catalog:
    """The stored catalog: its workspaces and documents by title."""

    workspace_a: Workspace
    workspace_b: Workspace
    documents: dict[str, Document]


async def stored_catalog(store: StorePort) -> Catalog:
    """Store the catalog (one owner, workspaces A and B, eight documents)."""
    owner = await stored_user(store, "catalog-owner")
    workspace_a = await stored_workspace(store, "A", owner)
    workspace_b = await stored_workspace(store, "B", owner)
    workspaces = {"apple": workspace_a.id, "banana": workspace_a.id, "cherry": workspace_b.id}
    saved = await store.documents.save_many(
        [
            document(
                title,
                metadata=METADATA[title],
                workspace_id=workspaces.get(title),
                created_at=at(index),
            )
            for index, title in enumerate(TITLES)
        ]
    )
    return Catalog(workspace_a, workspace_b, {doc.title: doc for doc in saved})


def except_(*excluded: str) -> list[str]:
    """Every catalog title but ``excluded``, in catalog order."""
    return [title for title in TITLES if title not in excluded]
