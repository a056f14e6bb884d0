"""LangChain's own ``VectorStoreIntegrationTests``, unmodified, on every repokit backend.

Each class only says how to open an empty ``RepokitVectorStore``: through
``RepokitVectorStore.from_url`` on a fresh store of its backend, so the sync tests
run on the sync store (``repokit.connect_sync``) and the async tests on the async
store (``repokit.connect``), each opened by the vector store on first use.
``memory://`` keeps its data in the store object, so there the async methods run
the one sync store in a worker thread (``docs/integrations.md``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

pytest.importorskip("langchain_core")
pytest.importorskip("langchain_tests")

from langchain_tests.integration_tests.vectorstores import (
    EMBEDDING_SIZE,
    VectorStoreIntegrationTests,
)

from repokit.infrastructure.config import Settings
from repokit.integrations.langchain import RepokitVectorStore


class RepokitSuite(VectorStoreIntegrationTests):
    """The suite on the backend named by ``backend``."""

    backend = "memory"
    cached = False
    """Behind the Redis cache decorator (``cache_url``)."""

    @pytest.fixture
    async def vectorstore(  # type: ignore[override]
        self,
        backend_url: Callable[[str, int], str],
        cache_for: Callable[[bool], tuple[str | None, str]],
        settings_for: Callable[[int], Settings],
    ) -> AsyncIterator[RepokitVectorStore]:
        url = backend_url(self.backend, EMBEDDING_SIZE)
        cache_url, namespace = cache_for(self.cached)
        store = RepokitVectorStore.from_url(
            url,
            embedding=self.get_embeddings(),
            settings=settings_for(EMBEDDING_SIZE).model_copy(update={"cache_namespace": namespace}),
            cache_url=cache_url,
            migrate=self.backend != "postgres",  # that database is migrated once per session
        )
        yield store
        await store.aclose()


class TestMemory(RepokitSuite):
    backend = "memory"


class TestSqlite(RepokitSuite):
    backend = "sqlite"


class TestEmbeddedPostgres(RepokitSuite):
    backend = "postgres"


class TestStandInMongo(RepokitSuite):
    backend = "mongo"


class TestMotoDynamo(RepokitSuite):
    backend = "dynamodb"


class TestCachedSqlite(RepokitSuite):
    backend = "sqlite"
    cached = True
