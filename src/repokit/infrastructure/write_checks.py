"""What every adapter checks in a write's arguments before it touches the store."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from repokit.domain.errors import DuplicateError


def reject_repeated_ids(noun: str, ids: Iterable[Hashable]) -> None:
    """Raise ``DuplicateError`` when a batch names one entity twice (so nothing is written)."""
    seen: set[Hashable] = set()
    for key in ids:
        if key in seen:
            raise DuplicateError(f"{noun} {key} appears twice in the batch")
        seen.add(key)


__all__ = ["reject_repeated_ids"]
