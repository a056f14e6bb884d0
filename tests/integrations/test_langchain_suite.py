"""LangChain's own ``VectorStoreIntegrationTests``, unmodified, on every repokit backend.

The class only says how to open an empty ``RepokitVectorStore``, and runs once per
backend (``conftest.BACKENDS``: memory, SQLite, the embedded PostgreSQL, the MongoDB
stand-in, DynamoDB on moto, SQLite behind the Redis cache): through
``RepokitVectorStore.from_url`` on a fresh store of the backend, so the sync tests
run on the sync store (``repokit.connect_sync``) and the async tests on the async
store (``repokit.connect``), each opened by the vector store on first use.
``memory://`` keeps its data in the store object, so there the async methods run
the one sync store in a worker thread (``docs/integrations.md``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

pytest.importorskip("langchain_core")
pytest.importorskip("langchain_tests")

from langchain_tests.integration_tests.vectorstores import (
    EMBEDDING_SIZE,
    VectorStoreIntegrationTests,
)

from repokit.integrations.langchain import RepokitVectorStore


class TestRepokitVectorStore(VectorStoreIntegrationTests):
    """The suite, once per backend (the ``backend`` fixture of ``conftest.py``)."""

    @pytest.fixture
    async def vectorstore(  # type: ignore[override]
        self, target: Callable[[int], Any]
    ) -> AsyncIterator[RepokitVectorStore]:
        store_target = target(EMBEDDING_SIZE)
        store = RepokitVectorStore.from_url(
            store_target.url,
            embedding=self.get_embeddings(),
            settings=store_target.settings,
            cache_url=store_target.cache_url,
            migrate=store_target.migrate,
        )
        yield store
        await store.aclose()
