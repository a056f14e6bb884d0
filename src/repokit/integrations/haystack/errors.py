"""Errors that are Haystack's and repokit's at once, so either kind of caller catches them."""

from __future__ import annotations

from haystack.document_stores.errors import DuplicateDocumentError
from haystack.errors import FilterError

from repokit.domain.errors import DuplicateError, InvalidQueryError


class HaystackFilterError(InvalidQueryError, FilterError):
    """A Haystack filter repokit cannot run: Haystack's ``FilterError`` and repokit's
    ``InvalidQueryError``."""


class HaystackDuplicateError(DuplicateError, DuplicateDocumentError):
    """A document id already stored (``DuplicatePolicy.FAIL``): Haystack's
    ``DuplicateDocumentError`` and repokit's ``DuplicateError``."""


__all__ = ["HaystackDuplicateError", "HaystackFilterError"]
