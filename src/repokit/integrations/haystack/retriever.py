"""``RepokitEmbeddingRetriever``: the Haystack component searching a ``RepokitDocumentStore``."""

from __future__ import annotations

from typing import Any, Self

from haystack import component, default_from_dict, default_to_dict
from haystack.dataclasses import Document as HaystackDocument
from haystack.document_stores.types import FilterPolicy, apply_filter_policy

from repokit.domain.errors import ConfigurationError, InvalidQueryError
from repokit.integrations.haystack.document_store import RepokitDocumentStore


@component
class RepokitEmbeddingRetriever:
    """Retrieves the documents nearest a query embedding from a ``RepokitDocumentStore``.

    The same inputs and outputs as Haystack's ``InMemoryEmbeddingRetriever``:
    ``run(query_embedding, filters=None, top_k=None, scale_score=None,
    return_embedding=None) -> {"documents": [...]}``, and ``run_async`` on the
    store's async form. ``filter_policy`` says how run-time filters combine with
    the ones given here (``REPLACE`` or ``MERGE``).
    """

    def __init__(
        self,
        document_store: RepokitDocumentStore,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
        filter_policy: FilterPolicy = FilterPolicy.REPLACE,
    ) -> None:
        """Raises ``ConfigurationError`` for another kind of store, ``InvalidQueryError``
        for ``top_k`` below 1."""
        if not isinstance(document_store, RepokitDocumentStore):
            raise ConfigurationError("document_store must be a RepokitDocumentStore")
        if top_k <= 0:
            raise InvalidQueryError(f"top_k must be greater than 0, got {top_k}")
        self.document_store = document_store
        self.filters = filters
        self.top_k = top_k
        self.scale_score = scale_score
        self.return_embedding = return_embedding
        self.filter_policy = filter_policy

    def to_dict(self) -> dict[str, Any]:
        """The component's init parameters, its document store included."""
        return default_to_dict(
            self,
            document_store=self.document_store.to_dict(),
            filters=self.filters,
            top_k=self.top_k,
            scale_score=self.scale_score,
            return_embedding=self.return_embedding,
            filter_policy=self.filter_policy.value,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """The component :meth:`to_dict` described."""
        params = data.get("init_parameters", {})
        params["document_store"] = RepokitDocumentStore.from_dict(params["document_store"])
        if "filter_policy" in params:
            params["filter_policy"] = FilterPolicy.from_str(params["filter_policy"])
        return default_from_dict(cls, data)

    @component.output_types(documents=list[HaystackDocument])
    def run(
        self,
        query_embedding: list[float],
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
        scale_score: bool | None = None,
        return_embedding: bool | None = None,
    ) -> dict[str, list[HaystackDocument]]:
        """The documents nearest ``query_embedding``, best first."""
        options = self._options(filters, top_k, scale_score, return_embedding)
        return {"documents": self.document_store.embedding_retrieval(query_embedding, **options)}

    @component.output_types(documents=list[HaystackDocument])
    async def run_async(
        self,
        query_embedding: list[float],
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
        scale_score: bool | None = None,
        return_embedding: bool | None = None,
    ) -> dict[str, list[HaystackDocument]]:
        """The async form of :meth:`run`."""
        options = self._options(filters, top_k, scale_score, return_embedding)
        documents = await self.document_store.embedding_retrieval_async(query_embedding, **options)
        return {"documents": documents}

    def _options(
        self,
        filters: dict[str, Any] | None,
        top_k: int | None,
        scale_score: bool | None,
        return_embedding: bool | None,
    ) -> dict[str, Any]:
        top_k = self.top_k if top_k is None else top_k
        if top_k < 0:
            raise InvalidQueryError(f"top_k must be 0 or more, got {top_k}")
        if return_embedding is None:
            return_embedding = self.return_embedding
        return {
            "filters": apply_filter_policy(self.filter_policy, self.filters, filters),
            "top_k": top_k,
            "scale_score": self.scale_score if scale_score is None else scale_score,
            "return_embedding": return_embedding,
        }


__all__ = ["RepokitEmbeddingRetriever"]
