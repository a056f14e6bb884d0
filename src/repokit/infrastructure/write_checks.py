"""What every adapter checks in a write's arguments before it touches the store."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from repokit.domain.entities import Role
from repokit.domain.errors import DuplicateError, InvalidQueryError


def reject_repeated_ids(noun: str, ids: Iterable[Hashable]) -> None:
    """Raise ``DuplicateError`` when a batch names one entity twice (so nothing is written)."""
    seen: set[Hashable] = set()
    for key in ids:
        if key in seen:
            raise DuplicateError(f"{noun} {key} appears twice in the batch")
        seen.add(key)


def checked_role(role: str) -> Role:
    """``role`` as a :class:`Role` (a member or its value), else ``InvalidQueryError``."""
    try:
        return Role(role)
    except ValueError:
        raise InvalidQueryError(f"unknown role {role!r}") from None


__all__ = ["checked_role", "reject_repeated_ids"]
