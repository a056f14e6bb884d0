"""The Redis keys of cached values and of their generation counters.

Every cached lookup has a value key and a generation key:

* ``<namespace>:doc:<id>`` holds the stamped value (see :mod:`.codec`);
* ``<namespace>:gen:doc:<id>`` counts the writes to that entity.

Declared entities (users and workspaces among them) have keys of their own
collection: ``<namespace>:e:<collection>:<id>`` for the entity and
``<namespace>:u:<collection>:<digest>`` for a lookup by unique values (see
:mod:`.entity_keys`). Collection names are lower-case letters, digits and
``_``, so no two entities' keys, and no entity's and a built-in kind's
(``doc``, ``role``), can meet.

A hit is one ``GET`` of the value key. An invalidation (after a write commits)
increments the generation and deletes the value. A miss reads the generation
*before* reading the database, and the fill stores the value only if the
generation is still the same (one Lua step on the server), so a value read
before a write and stored after it is never stored at all. The keys carry no
schema token: a write by any release deletes what every release cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple
from uuid import UUID

DEFAULT_NAMESPACE = "repokit"


class CacheKey(NamedTuple):
    """The value key and the generation key of one cached lookup.

    A named tuple, not a dataclass: one is built per cached call, and a tuple is
    the cheapest immutable, hashable pair Python has.
    """

    value: str
    generation: str


@dataclass(frozen=True, slots=True)
class CacheKeys:
    """The keys of one cache namespace (``REPOKIT_CACHE_NAMESPACE``).

    Services (or test runs) that share a Redis keep apart by namespace.
    """

    namespace: str = DEFAULT_NAMESPACE

    def _key(self, kind: str, name: str) -> CacheKey:
        return CacheKey(f"{self.namespace}:{kind}:{name}", f"{self.namespace}:gen:{kind}:{name}")

    @property
    def pattern(self) -> str:
        """A ``SCAN`` pattern of every key of this namespace."""
        return f"{self.namespace}:*"

    @property
    def generation_prefix(self) -> str:
        """What every generation key of this namespace starts with."""
        return f"{self.namespace}:gen:"

    def document(self, document_id: UUID) -> CacheKey:
        """``documents.get_by_id``."""
        return self._key("doc", str(document_id))

    def entity(self, collection: str, entity_id: UUID) -> CacheKey:
        """``get_by_id`` of the declared entity stored in ``collection``."""
        return self._key(f"e:{collection}", str(entity_id))

    def unique(self, collection: str, digest: str) -> CacheKey:
        """``get_by`` of the declared entity stored in ``collection`` (the values -> the id);
        ``digest`` hashes the values, which never show in key names (``SCAN``,
        ``MONITOR`` and slow logs show them)."""
        return self._key(f"u:{collection}", digest)

    def role(self, workspace_id: UUID, user_id: UUID) -> CacheKey:
        """``acl.role_of``."""
        return self._key("role", f"{workspace_id}:{user_id}")


__all__ = ["DEFAULT_NAMESPACE", "CacheKey", "CacheKeys"]
