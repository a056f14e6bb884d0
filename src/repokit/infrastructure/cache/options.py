"""How long cached values live: per entity kind, with jitter; read from the settings."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from repokit.infrastructure.config import Settings

KIND_ENTITY = {"doc": "documents", "role": "acl"}
"""Which TTL setting the built-in lookup kinds use. A declared entity's kinds are its
collection (``users``) and ``<collection>:<unique fields>`` (``users:email``), and use
the collection's setting."""

GENERATION_MARGIN_S = 120.0
"""Generation keys outlive every value tagged with them by this much (a slow reader's
fill lands at most a statement timeout after it read the generation)."""


@dataclass(frozen=True, slots=True)
class CacheOptions:
    """TTLs (seconds) by lookup kind, jitter, the "not found" TTL and Redis timeouts."""

    ttl_s: float = 300.0
    ttls: dict[str, float] = field(default_factory=dict)
    jitter: float = 0.1
    negative_ttl_s: float = 10.0
    timeout_s: float = 0.1
    retry_s: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings) -> CacheOptions:
        """The cache options of ``settings`` (``REPOKIT_CACHE_*``)."""
        return cls(
            ttl_s=settings.cache_ttl_s,
            ttls={str(entity): ttl for entity, ttl in settings.cache_ttls.items()},
            jitter=settings.cache_ttl_jitter,
            negative_ttl_s=settings.cache_negative_ttl_s,
            timeout_s=settings.cache_timeout_s,
            retry_s=settings.cache_retry_s,
        )

    def ttl_ms(self, kind: str, *, found: bool) -> int:
        """A TTL for a value of ``kind`` in milliseconds, jittered."""
        if found:
            entity = KIND_ENTITY.get(kind) or kind.partition(":")[0]
            base = self.ttls.get(entity, self.ttl_s)
        else:
            base = self.negative_ttl_s
        spread = 1.0 + random.uniform(-self.jitter, self.jitter)
        return max(1, int(base * spread * 1000))

    @property
    def generation_ttl_ms(self) -> int:
        """How long a generation key lives after its last write."""
        longest = max([self.ttl_s, self.negative_ttl_s, *self.ttls.values()])
        return int((longest * (1.0 + self.jitter) + GENERATION_MARGIN_S) * 1000)


__all__ = ["KIND_ENTITY", "CacheOptions"]
