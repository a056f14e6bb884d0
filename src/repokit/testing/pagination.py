"""Contract: offset windows and keyset pages of documents, ties on ``created_at`` included."""

from __future__ import annotations

from uuid import UUID

import pytest

from repokit.domain.entities import AuditEvent, Document
from repokit.domain.errors import InvalidQueryError
from repokit.domain.paging import Page
from repokit.domain.ports import StorePort
from repokit.testing.base import ContractMixin
from repokit.testing.bridge import pause
from repokit.testing.samples import at, document, uid
from repokit.testing.stored import stored_document

SHARED = 25
"""How many documents share one ``created_at`` in the tie tests."""


async def stored_tied_documents(store: StorePort, count: int = SHARED) -> list[Document]:
    """``count`` documents with one ``created_at``, saved in an order unrelated to their ids."""
    ids = [uid(1000 + (index * 7) % count) for index in range(count)]
    saved = await store.documents.save_many(
        [document(f"tied {index}", id=ids[index], created_at=at(0)) for index in range(count)]
    )
    return sorted(saved, key=lambda doc: doc.id)


async def walk(store: StorePort, limit: int, **criteria: object) -> list[Page[Document]]:
    """Every page of a keyset listing, following ``next_cursor`` to the end."""
    pages = [await store.documents.page(limit, **criteria)]  # type: ignore[arg-type]
    while pages[-1].next_cursor is not None:
        assert len(pages) <= 10_000, "the cursor never reaches the end"
        cursor = pages[-1].next_cursor
        pages.append(await store.documents.page(limit, cursor, **criteria))  # type: ignore[arg-type]
    return pages


class PaginationContract(ContractMixin):
    """``documents.list`` (offset, order) and ``documents.page`` (keyset, cursors)."""

    async def test_list_orders_by_created_at_then_id(self, store: StorePort) -> None:
        await store.documents.save_many(
            [
                document("late", created_at=at(5)),
                document("tie b", id=uid(2), created_at=at(1)),
                document("tie a", id=uid(1), created_at=at(1)),
                document("early", created_at=at(0)),
            ]
        )
        found = [doc.title for doc in await store.documents.list()]
        assert found == ["early", "tie a", "tie b", "late"]

    async def test_list_descending_reverses_the_whole_key(self, store: StorePort) -> None:
        await store.documents.save_many(
            [
                document("tie a", id=uid(1), created_at=at(1)),
                document("tie b", id=uid(2), created_at=at(1)),
                document("late", created_at=at(5)),
            ]
        )
        found = [doc.title for doc in await store.documents.list(descending=True)]
        assert found == ["late", "tie b", "tie a"]

    async def test_list_orders_titles_by_code_point(self, store: StorePort) -> None:
        names = ["b", "a", "B", "ä", "日本", "A", "ab", "", "Z"]
        await store.documents.save_many([document(name) for name in names])
        found = [doc.title for doc in await store.documents.list(order_by="title")]
        assert found == ["", "A", "B", "Z", "a", "ab", "b", "ä", "日本"]

    async def test_list_orders_by_updated_at(self, store: StorePort) -> None:
        first = await stored_document(store, "first")
        await stored_document(store, "second")
        await pause(0.005)  # updated_at has millisecond precision
        await store.documents.save(first.model_copy(update={"content": "touched last"}))
        found = [doc.title for doc in await store.documents.list(order_by="updated_at")]
        assert found == ["second", "first"]

    async def test_list_filters_before_ordering_and_windowing(self, store: StorePort) -> None:
        await store.documents.save_many(
            [document(name, metadata={"keep": name != "c"}) for name in ["d", "a", "c", "b", "e"]]
        )
        found = await store.documents.list(
            1, 2, where={"metadata.keep": True}, order_by="title", descending=True
        )
        assert [doc.title for doc in found] == ["d", "b"]

    async def test_offset_windows_over_a_shared_created_at_neither_lose_nor_repeat(
        self, store: StorePort
    ) -> None:
        expected = [doc.id for doc in await stored_tied_documents(store)]
        seen: list[UUID] = []
        for offset in range(0, SHARED, 7):
            seen.extend(doc.id for doc in await store.documents.list(offset, 7))
        assert seen == expected

    async def test_list_limit_zero_returns_nothing(self, store: StorePort) -> None:
        await stored_document(store)
        assert await store.documents.list(0, 0) == []

    async def test_list_offset_past_the_end_returns_nothing(self, store: StorePort) -> None:
        await stored_document(store)
        assert await store.documents.list(5, 10) == []

    @pytest.mark.parametrize(
        ("offset", "limit", "order_by"),
        [
            (-1, 10, "created_at"),
            (0, -1, "created_at"),
            (0, 10_001, "created_at"),
            (0, 10, "id"),
            (0, 10, "content"),
            (0, 10, "title; DROP TABLE documents"),
        ],
    )
    async def test_list_rejects_bad_windows_and_orderings(
        self, store: StorePort, offset: int, limit: int, order_by: str
    ) -> None:
        with pytest.raises(InvalidQueryError):
            await store.documents.list(offset, limit, order_by=order_by)

    async def test_list_accepts_the_largest_limit(self, store: StorePort) -> None:
        await stored_document(store)
        assert len(await store.documents.list(0, 10_000)) == 1

    async def test_pages_over_a_shared_created_at_neither_lose_nor_repeat(
        self, store: StorePort
    ) -> None:
        expected = [doc.id for doc in await stored_tied_documents(store)]
        pages = await walk(store, 7)
        assert [len(page.items) for page in pages] == [7, 7, 7, 4]
        assert [doc.id for page in pages for doc in page.items] == expected

    async def test_pages_follow_created_at_then_id(self, store: StorePort) -> None:
        await store.documents.save_many(
            [
                document("c", created_at=at(2)),
                document("b2", id=uid(2), created_at=at(1)),
                document("a", created_at=at(0)),
                document("b1", id=uid(1), created_at=at(1)),
            ]
        )
        pages = await walk(store, 3)
        assert [[doc.title for doc in page.items] for page in pages] == [["a", "b1", "b2"], ["c"]]

    async def test_the_last_page_has_no_next_cursor(self, store: StorePort) -> None:
        await stored_tied_documents(store, 6)
        first = await store.documents.page(3)
        assert first.next_cursor is not None
        second = await store.documents.page(3, first.next_cursor)
        assert len(second.items) == 3
        assert second.next_cursor is None

    async def test_a_page_holding_everything_has_no_next_cursor(self, store: StorePort) -> None:
        await stored_tied_documents(store, 5)
        page = await store.documents.page(5)
        assert (len(page.items), page.next_cursor) == (5, None)

    async def test_a_page_of_an_empty_store_is_empty(self, store: StorePort) -> None:
        page = await store.documents.page(10)
        assert (page.items, page.next_cursor) == ([], None)

    async def test_pages_honour_where_and_workspace_id(self, store: StorePort) -> None:
        await store.documents.save_many(
            [
                document(f"doc {index}", metadata={"even": index % 2 == 0}, created_at=at(index))
                for index in range(10)
            ]
        )
        pages = await walk(store, 2, where={"metadata.even": True})
        assert [doc.title for page in pages for doc in page.items] == [
            "doc 0",
            "doc 2",
            "doc 4",
            "doc 6",
            "doc 8",
        ]

    async def test_rows_inserted_before_the_cursor_are_not_returned(self, store: StorePort) -> None:
        await store.documents.save_many(
            [document(f"doc {index}", created_at=at(10 + index)) for index in range(4)]
        )
        first = await store.documents.page(2)
        await stored_document(store, "earlier", created_at=at(0))
        await stored_document(store, "later", created_at=at(100))
        rest = await store.documents.page(10, first.next_cursor)
        assert [doc.title for doc in rest.items] == ["doc 2", "doc 3", "later"]

    async def test_page_rejects_a_bad_limit(self, store: StorePort) -> None:
        with pytest.raises(InvalidQueryError):
            await store.documents.page(-1)
        with pytest.raises(InvalidQueryError):
            await store.documents.page(10_001)

    @pytest.mark.parametrize("edit", ["flip", "truncate", "append", "garbage", "empty"])
    async def test_a_tampered_cursor_raises_invalid_query_error(
        self, store: StorePort, edit: str
    ) -> None:
        await stored_tied_documents(store, 4)
        cursor = (await store.documents.page(2)).next_cursor
        assert cursor is not None
        middle = len(cursor) // 2
        flipped = "A" if cursor[middle] != "A" else "B"
        tampered = {
            "flip": cursor[:middle] + flipped + cursor[middle + 1 :],
            "truncate": cursor[: len(cursor) - 3],
            "append": cursor + "xyz",
            "garbage": "not-a-cursor!",
            "empty": "",
        }[edit]
        with pytest.raises(InvalidQueryError):
            await store.documents.page(2, tampered)

    async def test_a_cursor_of_the_audit_log_is_refused_by_documents(
        self, store: StorePort
    ) -> None:
        for index in range(3):
            await store.audit.append(AuditEvent(action="a", entity_type="t", entity_id=str(index)))
        cursor = (await store.audit.page(1)).next_cursor
        assert cursor is not None
        await stored_tied_documents(store, 3)
        with pytest.raises(InvalidQueryError):
            await store.documents.page(1, cursor)

    async def test_a_cursor_of_documents_is_refused_by_the_audit_log(
        self, store: StorePort
    ) -> None:
        await stored_tied_documents(store, 3)
        cursor = (await store.documents.page(1)).next_cursor
        assert cursor is not None
        with pytest.raises(InvalidQueryError):
            await store.audit.page(1, cursor)
