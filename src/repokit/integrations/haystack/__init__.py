"""Haystack over repokit (``pip install 'repokit[haystack]'``): a document store and
an embedding retriever component.

The mapping of Haystack documents to repokit entities and the filter semantics are
described in ``docs/integrations.md``.
"""

from __future__ import annotations

from repokit.integrations.haystack.document_store import RepokitDocumentStore
from repokit.integrations.haystack.errors import HaystackDuplicateError, HaystackFilterError
from repokit.integrations.haystack.filters import translate_filter
from repokit.integrations.haystack.retriever import RepokitEmbeddingRetriever

__all__ = [
    "HaystackDuplicateError",
    "HaystackFilterError",
    "RepokitDocumentStore",
    "RepokitEmbeddingRetriever",
    "translate_filter",
]
