"""Moving users and workspaces written in the earlier layout onto their entity items.

Before ``User`` and ``Workspace`` were stored as declared entities, a user was the
item ``USER#<id>`` / ``USER`` with an ``EMAIL#<email>`` / ``EMAIL`` guard, and a
workspace ``WS#<id>`` / ``WS``; both were listed on GSI1 (partitions ``USERS`` and
``WORKSPACES``). ``store.migrate()`` moves each such entity to its item under
``E#<collection>`` (:mod:`.entity_layout`), with its pool keys and guard items,
in one transaction per entity: the new items on the condition that they do not
exist yet (so an entity is never moved twice), the old ones deleted. An
interrupted migration is finished by running it again; a table without old
items costs two empty ``Query`` calls. The ACL entries keep their keys
(``WS#<workspace>`` / ``ACL#<user>``), so nothing else moves.
"""

from __future__ import annotations

from repokit.domain.entities import User, Workspace
from repokit.domain.entity import Entity
from repokit.infrastructure.dynamodb.entity_items import items_of
from repokit.infrastructure.dynamodb.items import GONE, Item, key_of, part_count
from repokit.infrastructure.dynamodb.layout import G1
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.records import Scope, part_key_of, read_entity
from repokit.infrastructure.dynamodb.writes import ABSENT, Write, delete, put

LEGACY_LISTINGS: tuple[tuple[str, type[Entity]], ...] = (("USERS", User), ("WORKSPACES", Workspace))
"""The GSI1 partition that listed each built-in entity in the earlier layout."""


def email_guard_key(email: str) -> tuple[str, str]:
    """The earlier layout's guard item of a user's (lower-cased) email."""
    return (f"EMAIL#{email}", "EMAIL")


async def move_legacy_items(scope: Scope) -> int:
    """Move every user and workspace of the earlier layout; returns how many moved."""
    moved = 0
    for partition, model in LEGACY_LISTINGS:
        async for old in scope.query(QuerySpec(partition=partition, index=G1)):
            await scope.apply(await _moves(scope, model, old))
            moved += 1
    return moved


async def _moves(scope: Scope, model: type[Entity], old: Item) -> list[Write]:
    items = items_of(model)
    entity = await read_entity(scope, model, old)
    what = f"{items.layout.spec.noun} {entity.id}"
    item, parts = items.encode(entity)
    writes = [put(items.layout.key(entity.id), item, what, ABSENT)]
    writes += [put(key, part, what) for key, part in items.part_writes(entity.id, parts)]
    if GONE in old:  # an interrupted delete: it stays marked, the next delete finishes it
        item[GONE] = old[GONE]
    else:
        guard = items.guard_item(entity.id, item)
        writes += [put(key, guard, what, ABSENT) for key in items.layout.guards(entity.__dict__)]
    old_key = key_of(old)
    writes.append(delete(old_key, what))
    writes += [delete(part_key_of(old_key, i), what) for i in range(part_count(old))]
    if isinstance(entity, User):
        writes.append(delete(email_guard_key(entity.email), what))
    return writes


__all__ = ["LEGACY_LISTINGS", "email_guard_key", "move_legacy_items"]
