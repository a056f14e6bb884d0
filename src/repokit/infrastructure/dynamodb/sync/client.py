"""The DynamoDB client of the sync adapter: the only module that knows boto3.

The hand-written twin of :mod:`repokit.infrastructure.dynamodb.client`, with the
same names and behaviour on a plain boto3 client (thread-safe, as boto3's
low-level clients are), so the rest of the adapter is generated from its async form.
"""

from __future__ import annotations

import time
from typing import Any

import boto3  # type: ignore[import-untyped]
import botocore.session  # type: ignore[import-untyped]
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
    """One boto3 DynamoDB client for a store's lifetime (it pools its own connections)."""

    def __init__(self, target: DynamoTarget, client: Any) -> None:
        self.target = target
        self.table = target.table
        self._client = client
        self.closed = False

    @classmethod
    def open(cls, target: DynamoTarget, settings: Settings) -> DynamoClient:
        """Create the client (no request is sent yet)."""
        try:
            session = boto3.session.Session(
                botocore_session=parse_attribute_values(share_data_loader(botocore.session.Session())),
                **session_options(target),
            )
            client = session.client(
                "dynamodb",
                endpoint_url=target.endpoint_url,
                config=client_config(target, settings),
                **plain_http_options(target),
            )
        except (BotoCoreError, ClientError) as exc:
            raise map_error(exc, target.redacted) from exc
        return cls(target, client)

    def ensure_open(self) -> None:
        """Raise :class:`StoreClosedError` once the store is closed."""
        if self.closed:
            raise StoreClosedError("store is closed")

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """Run one DynamoDB operation; failures become repokit errors (not conditional ones)."""
        self.ensure_open()
        try:
            response: dict[str, Any] = getattr(self._client, operation)(**params)
        except (BotoCoreError, ClientError) as exc:
            if error_code(exc) in CONDITIONAL_CODES:
                raise
            raise map_error(exc, f"{operation} on table {self.table}") from exc
        return response

    def close(self) -> None:
        """Release the client's connections; safe to call twice."""
        if self.closed:
            return
        self.closed = True
        self._client.close()


def pause(seconds: float) -> None:
    """Wait (between polls of a table's status)."""
    time.sleep(seconds)
