"""Redis as a cache decorator over any store (``cache_url`` / ``REPOKIT_CACHE_URL``).

See ``docs/cache.md``: what is cached, how invalidation stays correct with
units of work and concurrent readers, and how the cache fails open.
"""

from repokit.infrastructure.cache.stats import CacheStats

__all__ = ["CacheStats"]
