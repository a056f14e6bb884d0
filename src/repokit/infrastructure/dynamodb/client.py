"""The DynamoDB client of the async adapter: the only module that knows aioboto3.

Everything else awaits :meth:`DynamoClient.call` with a low-level operation name
(``"get_item"``, ``"query"``, ``"transact_write_items"``...) and its parameters.
Its hand-written twin, :mod:`repokit.infrastructure.dynamodb.sync.client`, does
the same on boto3, so the rest of the adapter is generated for the sync form.

Retries of throttling and transient errors are botocore's (``standard`` or
``adaptive`` retry mode, see :func:`client_config`); what still fails is mapped
to a repokit error here, except the conditional failures, which the scope that
wrote the items interprets (it knows which rule each condition stands for).
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

import aioboto3  # type: ignore[import-untyped]
from aiobotocore.session import AioSession  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from repokit.domain.errors import StoreClosedError
from repokit.infrastructure.config import Settings
from repokit.infrastructure.dynamodb.client_options import (
    CONDITIONAL_CODES,
    client_config,
    parse_attribute_values,
    plain_http_options,
    session_options,
    share_data_loader,
)
from repokit.infrastructure.dynamodb.errors import error_code, map_error
from repokit.infrastructure.dynamodb.url import DynamoTarget


class DynamoClient:
    """One aioboto3 DynamoDB client for a store's lifetime (it pools its own connections)."""

    def __init__(self, target: DynamoTarget, stack: AsyncExitStack, client: Any) -> None:
        self.target = target
        self.table = target.table
        self._stack = stack
        self._client = client
        self.closed = False

    @classmethod
    async def open(cls, target: DynamoTarget, settings: Settings) -> DynamoClient:
        """Create the client (no request is sent yet)."""
        session = aioboto3.Session(
            botocore_session=parse_attribute_values(share_data_loader(AioSession())),
            **session_options(target),
        )
        stack = AsyncExitStack()
        try:
            client = await stack.enter_async_context(
                session.client(
                    "dynamodb",
                    endpoint_url=target.endpoint_url,
                    config=client_config(target, settings),
                    **plain_http_options(target),
                )
            )
        except (BotoCoreError, ClientError) as exc:
            await stack.aclose()
            raise map_error(exc, target.redacted) from exc
        return cls(target, stack, client)

    def ensure_open(self) -> None:
        """Raise :class:`StoreClosedError` once the store is closed."""
        if self.closed:
            raise StoreClosedError("store is closed")

    async def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """Run one DynamoDB operation; failures become repokit errors (not conditional ones)."""
        self.ensure_open()
        try:
            response: dict[str, Any] = await getattr(self._client, operation)(**params)
        except (BotoCoreError, ClientError) as exc:
            if error_code(exc) in CONDITIONAL_CODES:
                raise
            raise map_error(exc, f"{operation} on table {self.table}") from exc
        return response

    async def close(self) -> None:
        """Release the client's connections; safe to call twice."""
        if self.closed:
            return
        self.closed = True
        await self._stack.aclose()


async def pause(seconds: float) -> None:
    """Wait without blocking the event loop (between polls of a table's status)."""
    await asyncio.sleep(seconds)
