"""Where repositories read and write: autocommit on the store, or a unit of work's pending writes.

Both scopes offer the same four calls: ``get`` (a consistent ``GetItem``),
``query`` (a stream of items, page by page), ``apply`` (one repository call's
writes, atomically) and ``apply_large`` (writes too many for one transaction,
only outside a unit: see :meth:`AutocommitScope.apply_large`).

* :class:`AutocommitScope` sends each ``apply`` at once: one conditional
  ``PutItem``/``DeleteItem``, or one ``TransactWriteItems`` for several items.
  A failed condition is read back and turned into the rule it stands for
  (``DuplicateError``, ``ConcurrencyError``, ``NotFoundError``).
* :class:`UnitScope` checks the conditions in-process against what the unit sees
  (committed items plus its own pending writes), then keeps the writes in memory;
  ``commit`` sends them, with the conditions relative to the committed state, as
  one ``TransactWriteItems``. Reads merge the pending writes in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from repokit.domain.errors import BackendUnavailableError, CapabilityError, ConcurrencyError
from repokit.infrastructure.dynamodb.client import DynamoClient
from repokit.infrastructure.dynamodb.errors import cancellation_codes, error_code
from repokit.infrastructure.dynamodb.items import Item, Key, key_attrs, key_of
from repokit.infrastructure.dynamodb.queries import QuerySpec
from repokit.infrastructure.dynamodb.writes import (
    MAX_TRANSACTION_ITEMS,
    Condition,
    Write,
    condition_params,
)

_BATCH_WRITE_ITEMS = 25


async def fetch(client: DynamoClient, key: Key) -> Item | None:
    """The item under ``key`` as committed now (strongly consistent), or None."""
    response = await client.call(
        "get_item", TableName=client.table, Key=key_attrs(key), ConsistentRead=True
    )
    item: Item | None = response.get("Item")
    return item


async def stream(client: DynamoClient, spec: QuerySpec) -> AsyncIterator[Item]:
    """The committed items of ``spec``, in order, one ``Query`` page at a time."""
    params = spec.params(client.table)
    while True:
        page = await client.call("query", **params)
        for item in page.get("Items", ()):
            if spec.selects(item):
                yield item
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        params["ExclusiveStartKey"] = last


class AutocommitScope:
    """The store's own repositories: every call is its own (conditional) write."""

    in_unit = False

    def __init__(self, client: DynamoClient) -> None:
        self.client = client

    async def get(self, key: Key) -> Item | None:
        """The committed item under ``key``, or None."""
        return await fetch(self.client, key)

    def query(self, spec: QuerySpec) -> AsyncIterator[Item]:
        """The committed items of ``spec``, streamed."""
        return stream(self.client, spec)

    async def apply(self, writes: Sequence[Write]) -> None:
        """Write atomically: all land or, with the broken rule as the error, none does."""
        if not writes:
            return
        if len(writes) > MAX_TRANSACTION_ITEMS:
            raise CapabilityError(
                f"{len(writes)} items in one atomic write; DynamoDB allows "
                f"{MAX_TRANSACTION_ITEMS} per transaction"
            )
        if len(writes) == 1 and not writes[0].check_only:
            await self._single(writes[0])
            return
        actions = [write.action(self.client.table) for write in writes]
        try:
            await self.client.call("transact_write_items", TransactItems=actions)
        except ClientError as exc:
            error = await self._explain(exc, writes)
            if error is None:
                return
            raise error from exc

    async def _single(self, write: Write) -> None:
        params = {"TableName": self.client.table}
        if write.condition is not None:
            params.update(condition_params(write.condition))
        try:
            if write.item is not None:
                await self.client.call(
                    "put_item", Item={**write.item, **key_attrs(write.key)}, **params
                )
            else:
                await self.client.call("delete_item", Key=key_attrs(write.key), **params)
        except ClientError as exc:
            error = await self._explain(exc, [write])
            if error is None:
                return
            raise error from exc

    async def _explain(self, exc: ClientError, writes: Sequence[Write]) -> Exception | None:
        """The repokit error for a cancelled write: the first broken condition, read back.

        None when a lone put failed its condition only because it had landed
        already: botocore resent it after losing the first response (a timeout),
        and the item stored is exactly the one written. (``TransactWriteItems``
        needs no such check: botocore resends it with the same
        ``ClientRequestToken``, which DynamoDB makes idempotent.)
        """
        codes = cancellation_codes(exc) if error_code(exc) == "TransactionCanceledException" else []
        if error_code(exc) == "ConditionalCheckFailedException":
            codes = ["ConditionalCheckFailed"]
        for write, code in zip(writes, codes, strict=False):
            if code == "ConditionalCheckFailed" and write.condition is not None:
                stored = await self.get(write.key)
                mine = None if write.item is None else {**write.item, **key_attrs(write.key)}
                if len(writes) == 1 and stored is not None and stored == mine:
                    return None
                return write.condition.error(write.what, stored)
        if any(code == "TransactionConflict" for code in codes):
            return ConcurrencyError("a concurrent transaction touched the same items; retry")
        return BackendUnavailableError(f"DynamoDB cancelled the write: {', '.join(codes)}")

    async def apply_large(self, writes: Sequence[Write], *, undo: bool) -> None:
        """Writes that may exceed one transaction, in transactions of up to 100 items.

        With ``undo`` (only inserts): when a group fails, the groups already written
        are deleted again, so the call is all-or-nothing for readers that come after.
        Without it (deletes of a cascade), a failure leaves the rest for a retry.
        """
        done: list[Write] = []
        for start in range(0, len(writes), MAX_TRANSACTION_ITEMS):
            group = writes[start : start + MAX_TRANSACTION_ITEMS]
            try:
                await self.apply(group)
            except Exception:
                if undo:
                    await self.delete_unconditionally([w.key for w in done if not w.check_only])
                raise
            done.extend(group)

    async def delete_unconditionally(self, keys: Sequence[Key]) -> None:
        """Delete many items with ``BatchWriteItem`` (25 a request, unprocessed ones resent)."""
        for start in range(0, len(keys), _BATCH_WRITE_ITEMS):
            requests = [
                {"DeleteRequest": {"Key": key_attrs(key)}}
                for key in keys[start : start + _BATCH_WRITE_ITEMS]
            ]
            pending: dict[str, Any] = {self.client.table: requests}
            for _attempt in range(10):
                response = await self.client.call("batch_write_item", RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
                if not pending:
                    break
            if pending:
                raise BackendUnavailableError("DynamoDB kept throttling a batch delete; retry it")


@dataclass(slots=True)
class Pending:
    """A unit's pending action on one item, with its condition on the *committed* item."""

    write: Write
    condition: Condition | None


class UnitScope:
    """A unit of work's reads and writes; ``check_usable`` is the unit's own state check."""

    in_unit = True

    def __init__(self, client: DynamoClient, check_usable: Callable[[], None]) -> None:
        self.client = client
        self._check_usable = check_usable
        self.pending: dict[Key, Pending] = {}

    async def get(self, key: Key) -> Item | None:
        """The item under ``key`` as this unit sees it (its own writes first)."""
        self._check_usable()
        entry = self.pending.get(key)
        if entry is not None and not entry.write.check_only:
            item = entry.write.item
            # With its key, as a committed item is read.
            return None if item is None else {**item, **key_attrs(key)}
        return await fetch(self.client, key)

    async def query(self, spec: QuerySpec) -> AsyncIterator[Item]:
        """The items of ``spec`` as this unit sees them: committed ones merged with its writes."""
        self._check_usable()
        writes = [e.write for e in self.pending.values() if not e.write.check_only]
        if not writes:
            async for item in stream(self.client, spec):
                yield item
            return
        rows = {key_of(item): item async for item in stream(self.client, spec)}
        for write in writes:
            rows.pop(write.key, None)
            if write.item is not None and spec.selects({**write.item, **key_attrs(write.key)}):
                rows[write.key] = {**write.item, **key_attrs(write.key)}
        for item in sorted(rows.values(), key=spec.sort_key, reverse=spec.descending):
            yield item

    async def apply(self, writes: Sequence[Write]) -> None:
        """Check every condition against what the unit sees, then keep the writes pending.

        Raises the broken rule's error, or ``CapabilityError`` when the unit would
        hold more than one transaction's worth of items; either way nothing of this
        call is kept.
        """
        self._check_usable()
        staged = dict(self.pending)
        for write in writes:
            entry = staged.get(write.key)
            if write.condition is not None:
                seen = entry.write.item if entry and not entry.write.check_only else None
                stored = (
                    seen
                    if entry and not entry.write.check_only
                    else await fetch(self.client, write.key)
                )
                if not write.condition.holds(stored):
                    raise write.condition.error(write.what, stored)
            staged[write.key] = _merge(entry, write)
        if len(staged) > MAX_TRANSACTION_ITEMS:
            raise CapabilityError(
                f"a unit of work on DynamoDB commits at most {MAX_TRANSACTION_ITEMS} items "
                f"in one TransactWriteItems; this call would make it {len(staged)}"
            )
        self.pending = staged

    async def apply_large(self, writes: Sequence[Write], *, undo: bool) -> None:
        """Inside a unit every write is part of its one transaction."""
        await self.apply(writes)

    async def delete_unconditionally(self, keys: Sequence[Key]) -> None:
        """Inside a unit these deletes are part of its one transaction too."""
        await self.apply([Write(key, "item", delete=True) for key in keys])

    async def commit(self) -> None:
        """Send the pending writes as one transaction; a broken condition is a concurrent commit."""
        entries, self.pending = list(self.pending.values()), {}
        actions = [
            Write(e.write.key, e.write.what, e.write.item, e.write.delete, e.condition).action(
                self.client.table
            )
            for e in entries
            if not (e.write.check_only and e.condition is None)
        ]
        if not actions:
            return
        try:
            await self.client.call("transact_write_items", TransactItems=actions)
        except ClientError as exc:
            codes = cancellation_codes(exc)
            raise ConcurrencyError(
                "a concurrent commit changed items this unit of work read or wrote; "
                f"retry the unit ({', '.join(sorted(set(codes) - {'None'})) or error_code(exc)})"
            ) from exc

    async def rollback(self) -> None:
        """Forget the pending writes."""
        self.pending = {}


def _merge(entry: Pending | None, write: Write) -> Pending:
    """The pending action on a key after ``write``; the condition stays the first one seen."""
    if entry is None:
        return Pending(write, write.condition)
    if write.check_only:
        # The earlier write (or check) already decides what the item is at commit.
        return entry
    if entry.write.check_only:
        return Pending(write, write.condition or entry.condition)
    return Pending(write, entry.condition)
