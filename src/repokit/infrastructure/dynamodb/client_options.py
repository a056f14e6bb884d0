"""botocore options and session arguments, shared by the async and the sync client."""

from __future__ import annotations

from typing import Any

from botocore.config import Config  # type: ignore[import-untyped]
from botocore.loaders import Loader  # type: ignore[import-untyped]
from botocore.session import Session  # type: ignore[import-untyped]

from repokit.infrastructure.config import Settings
from repokit.infrastructure.dynamodb.url import DynamoTarget

CONDITIONAL_CODES = frozenset({"ConditionalCheckFailedException", "TransactionCanceledException"})
"""Failures passed through unmapped: they mean a save rule, decided by the caller."""


def client_config(target: DynamoTarget, settings: Settings) -> Config:
    """botocore options: retry mode and attempts, timeouts, connection pool size."""
    return Config(
        retries={"mode": target.retry_mode, "max_attempts": target.max_attempts},
        connect_timeout=settings.pool_timeout_s,
        read_timeout=settings.statement_timeout_s,
        max_pool_connections=max(settings.pool_max_size, 10),
    )


def session_options(target: DynamoTarget) -> dict[str, Any]:
    """Keyword arguments of the boto session: explicit credentials and region, if any."""
    options: dict[str, Any] = {}
    if target.access_key is not None:
        options["aws_access_key_id"] = target.access_key
        options["aws_secret_access_key"] = target.secret_key
    if target.region is not None:
        options["region_name"] = target.region
    return options


_LOADERS: dict[object, Loader] = {}
"""One botocore data loader per data path, shared by every session of this process."""


def share_data_loader(session: Session) -> Session:
    """Give ``session`` this process's botocore data loader; return it.

    A new botocore session parses its JSON models (endpoints, partitions, the
    DynamoDB API) again, about 0.3 s of CPU per store; the loader caches what it
    parsed and only reads files, so stores opened later reuse the first one's.
    Keyed by the session's ``data_path``, so ``AWS_DATA_PATH`` is still honoured.
    """
    path = session.get_config_variable("data_path")
    shared = _LOADERS.get(path)
    if shared is None:
        _LOADERS[path] = session.get_component("data_loader")
    else:
        session.register_component("data_loader", shared)
    return session


def plain_http_options(target: DynamoTarget) -> dict[str, Any]:
    """Client options for an ``http://`` endpoint (DynamoDB Local, an emulator): no TLS
    is spoken there, so no certificate store is loaded (``verify=False``), which would
    cost about 20 ms of every store opened. HTTPS endpoints keep full verification."""
    endpoint = target.endpoint_url or ""
    return {"verify": False} if endpoint.startswith("http://") else {}
