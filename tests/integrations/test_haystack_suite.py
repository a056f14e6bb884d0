"""Haystack's own document store test mixins, unmodified, on every repokit backend.

One class, run once per backend (``conftest.BACKENDS``), mixes in
``DocumentStoreBaseExtendedTests`` (count, write, delete, every
filter test, delete-all, delete/update by filter), ``CountDocumentsByFilterTest``
and the async counterparts of all of them. What a store must provide itself is
provided here, as Haystack asks:

* the ``document_store`` fixture: a ``RepokitDocumentStore`` on a fresh store of
  the backend (768 dimensions, the suite's embedding length);
* ``test_write_documents`` / ``test_write_documents_async``: the suite raises
  ``NotImplementedError`` in them ("depends on the Document Store implementation
  ... override this test"); ours checks the default policy (``NONE`` means
  ``FAIL``);
* ``assert_documents_are_equal``, the hook the suite offers for stores that do not
  return documents exactly as written: repokit stores embeddings as float32
  (``docs/semantics.md``), so they are compared to float32 precision, and
  documents come back in (created_at, id) order, not in the order of the list
  written in one call, so both lists are compared sorted by id.

Not mixed in: the metadata-introspection tests (unique values, min/max, field
info), which need aggregate queries repokit's ports do not offer.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
pytest.importorskip("haystack")

from haystack.dataclasses import Document
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy
from haystack.testing.document_store import (
    CountDocumentsByFilterTest,
    DocumentStoreBaseExtendedTests,
)
from haystack.testing.document_store_async import (
    CountDocumentsAsyncTest,
    CountDocumentsByFilterAsyncTest,
    DeleteAllAsyncTest,
    DeleteByFilterAsyncTest,
    DeleteDocumentsAsyncTest,
    FilterDocumentsAsyncTest,
    UpdateByFilterAsyncTest,
    WriteDocumentsAsyncTest,
)

from repokit.integrations.haystack import RepokitDocumentStore

EMBEDDING_DIM = 768
"""The length of the embeddings in Haystack's ``filterable_docs``."""


class TestRepokitDocumentStore(
    DocumentStoreBaseExtendedTests,
    CountDocumentsByFilterTest,
    CountDocumentsAsyncTest,
    WriteDocumentsAsyncTest,
    DeleteDocumentsAsyncTest,
    FilterDocumentsAsyncTest,
    DeleteAllAsyncTest,
    DeleteByFilterAsyncTest,
    UpdateByFilterAsyncTest,
    CountDocumentsByFilterAsyncTest,
):
    """The Haystack suites, once per backend (the ``backend`` fixture of ``conftest.py``)."""

    @pytest.fixture
    async def document_store(
        self, target: Callable[[int], Any]
    ) -> AsyncIterator[RepokitDocumentStore]:
        store_target = target(EMBEDDING_DIM)
        store = RepokitDocumentStore(
            store_target.url,
            settings=store_target.settings,
            cache_url=store_target.cache_url,
            migrate=store_target.migrate,
        )
        yield store
        await store.close_async()

    @staticmethod
    def assert_documents_are_equal(received: list[Document], expected: list[Document]) -> None:
        assert len(received) == len(expected)
        for got, want in zip(
            sorted(received, key=lambda d: d.id), sorted(expected, key=lambda d: d.id), strict=True
        ):
            if want.embedding is None:
                assert got.embedding is None
            else:
                assert got.embedding == pytest.approx(want.embedding, rel=1e-6, abs=1e-7)
            assert Document.from_dict({**got.to_dict(), "embedding": None}) == (
                Document.from_dict({**want.to_dict(), "embedding": None})
            )

    def test_write_documents(self, document_store: RepokitDocumentStore) -> None:
        doc = Document(content="test doc")
        assert document_store.write_documents([doc]) == 1
        with pytest.raises(DuplicateDocumentError):
            document_store.write_documents([doc])
        assert document_store.write_documents([doc], DuplicatePolicy.SKIP) == 0
        self.assert_documents_are_equal(document_store.filter_documents(), [doc])

    async def test_write_documents_async(self, document_store: RepokitDocumentStore) -> None:
        doc = Document(content="test doc")
        assert await document_store.write_documents_async([doc]) == 1
        with pytest.raises(DuplicateDocumentError):
            await document_store.write_documents_async([doc])
        assert await document_store.write_documents_async([doc], DuplicatePolicy.SKIP) == 0
        self.assert_documents_are_equal(await document_store.filter_documents_async(), [doc])

