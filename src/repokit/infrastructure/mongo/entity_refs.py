"""References between declared entities on MongoDB: checked on save, followed on delete.

* **Save:** each ``Ref`` value of the entities saved must be the ``_id`` of a stored
  target: one ``$in`` read per reference field for a whole batch, else
  ``NotFoundError``.
* **Delete:** the entities (and documents) that refer to the deleted one are
  found through :func:`child_links`: every declared entity's ``Ref`` to it, and
  the documents of collections no entity declares that the store names in its
  :data:`DependentCollections` (the built-in ``users`` and ``workspaces`` take their
  ACL entries, documents and chunks with them). :class:`DeletePlan` reads first,
  following cascades recursively, and raises ``InUseError`` for a ``restrict``
  reference before anything is written; then it deletes children before parents.

The repository runs both inside its write scope: a transaction of the call's own
(or the unit's) where the server has them, so the delete is all or nothing;
otherwise children go first and the entity last, so a failure half-way never
leaves a child without its parent.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from repokit.domain.entity import declared_entities
from repokit.domain.entity_spec import EntitySpec, spec_of
from repokit.domain.errors import InUseError, NotFoundError
from repokit.domain.markers import OnDelete
from repokit.infrastructure.mongo.client import Database, Session
from repokit.infrastructure.mongo.entity_codec import ID_PATH, stored_field
from repokit.infrastructure.mongo.repository import BATCH, delete_ids, find_all


@dataclass(frozen=True, slots=True)
class ChildLink:
    """Documents of ``collection`` whose ``field`` holds the id of a parent being deleted."""

    collection: str
    field: str
    on_delete: OnDelete
    noun: str


DependentCollections = Mapping[str, tuple[ChildLink, ...]]
"""By collection: documents of collections no entity declares that go with its entities."""


def child_links(collection: str, dependents: DependentCollections) -> tuple[ChildLink, ...]:
    """What refers to the documents of ``collection``: declared references, then dependents."""
    links = [
        ChildLink(spec.table(), _path(spec, ref.field), ref.on_delete, spec.noun)
        for spec in map(spec_of, declared_entities())
        for ref in spec.refs
        if ref.target_spec.collection == collection
    ]
    return (*links, *dependents.get(collection, ()))


def _path(spec: EntitySpec, name: str) -> str:
    return stored_field(spec, spec.field(name)).path


async def check_targets(
    db: Database, spec: EntitySpec, entities: Sequence[BaseModel], session: Session | None
) -> None:
    """Raise ``NotFoundError`` unless every reference of ``entities`` names a stored target
    (a target is declared before the entities that refer to it, so never in the batch)."""
    for ref in spec.refs:
        values = (entity.__dict__[ref.field] for entity in entities)
        wanted = list(dict.fromkeys(str(value) for value in values if value is not None))
        if not wanted:
            continue
        target = ref.target_spec
        for start in range(0, len(wanted), BATCH):
            part = wanted[start : start + BATCH]
            found = await find_all(
                db[target.table()], {ID_PATH: {"$in": part}}, session, projection={ID_PATH: 1}
            )
            missing = set(part) - {doc[ID_PATH] for doc in found}
            if missing:
                raise NotFoundError(f"{target.noun} {min(missing)} does not exist")


@dataclass(frozen=True, slots=True)
class DeleteStep:
    """Delete the documents of ``collection`` whose ``field`` is one of ``ids``."""

    collection: str
    field: str
    ids: tuple[str, ...]


class DeletePlan:
    """The deletes a delete of some documents implies, children first (see the module doc)."""

    def __init__(self, db: Database, session: Session | None, dependents: DependentCollections):
        self._db = db
        self._session = session
        self._dependents = dependents
        self.steps: builtins.list[DeleteStep] = []

    async def follow(self, collection: str, noun: str, ids: Sequence[str]) -> None:
        """Plan what deleting ``ids`` of ``collection`` implies; ``InUseError`` if refused.

        References form no cycle (a ``Ref`` names a class declared before), so this ends.
        """
        for link in child_links(collection, self._dependents):
            if link.on_delete == "restrict":
                await self._refuse_if_referenced(link, noun, ids)
            elif child_links(link.collection, self._dependents):
                children = await self._referring(link, ids)
                if children:
                    await self.follow(link.collection, link.noun, children)
                    self.steps.append(DeleteStep(link.collection, ID_PATH, tuple(children)))
            else:  # nothing refers to these children: delete them by the reference itself
                self.steps.append(DeleteStep(link.collection, link.field, tuple(ids)))

    async def run(self) -> None:
        """Carry out the planned deletes, in order."""
        for step in self.steps:
            await delete_ids(self._db[step.collection], step.ids, self._session, step.field)

    async def _refuse_if_referenced(self, link: ChildLink, noun: str, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), BATCH):
            found = await self._db[link.collection].find_one(
                {link.field: {"$in": list(ids[start : start + BATCH])}},
                {ID_PATH: 1, link.field: 1},
                session=self._session,
            )
            if found is not None:
                raise InUseError(
                    f"{noun} {found[link.field]} is still referenced by {link.noun} "
                    f"{found[ID_PATH]}; delete or reassign it first"
                )

    async def _referring(self, link: ChildLink, ids: Sequence[str]) -> builtins.list[str]:
        found: builtins.list[str] = []
        for start in range(0, len(ids), BATCH):
            docs = await find_all(
                self._db[link.collection],
                {link.field: {"$in": list(ids[start : start + BATCH])}},
                self._session,
                projection={ID_PATH: 1},
            )
            found.extend(doc[ID_PATH] for doc in docs)
        return found


__all__ = [
    "ChildLink",
    "DeletePlan",
    "DeleteStep",
    "DependentCollections",
    "check_targets",
    "child_links",
]
