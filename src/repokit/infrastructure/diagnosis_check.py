"""One line of ``repokit doctor``'s report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Check:
    """One check of ``repokit doctor``.

    Attributes:
        name: what was checked ("reachable", "pgvector", "schema", ...).
        ok: True when it passed.
        detail: what was found, and when it failed, what to do.
    """

    name: str
    ok: bool
    detail: str


__all__ = ["Check"]
