"""Paths of Firestore collection references, as both client forms build them."""

from __future__ import annotations

from typing import Any


def collection_path(collection: Any) -> str:
    """The path of a collection reference, as its documents' paths start."""
    return "/".join(collection._path)


__all__ = ["collection_path"]
