"""The in-process reference adapter (``memory://``): the executable specification.

Every backend must answer as this one does; see ``docs/semantics.md``.
"""

from repokit.infrastructure.memory.store import MemoryStore, open_memory_store
from repokit.infrastructure.memory.unit_of_work import MemoryUnitOfWork

__all__ = ["MemoryStore", "MemoryUnitOfWork", "open_memory_store"]
