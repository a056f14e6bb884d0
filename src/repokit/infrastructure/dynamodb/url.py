"""``dynamodb://`` URLs: endpoint, region, table, credentials and retry options.

``dynamodb://127.0.0.1:8000?region=us-east-1&table=repokit`` is a local endpoint
(DynamoDB Local, moto_server); ``dynamodb://?region=eu-west-1&table=app`` (or a
bare ``dynamodb://``) is AWS itself, with credentials from the usual boto3 chain.
``dynamodb://KEY:SECRET@host:port`` gives credentials in the URL (for emulators);
they are kept out of every message and repr.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote

from repokit.domain.errors import ConfigurationError
from repokit.infrastructure.config import redact_url, url_scheme

RetryMode = Literal["standard", "adaptive", "legacy"]
RETRY_MODES: tuple[RetryMode, ...] = ("standard", "adaptive", "legacy")
DEFAULT_TABLE = "repokit"
LOCAL_REGION = "us-east-1"
LOCAL_CREDENTIALS = ("repokitlocal", "repokitlocal")
"""Used for a local endpoint when none is configured. Emulators take any key, but
DynamoDB Local (1.23 and later) refuses an access key id with anything but letters
and digits (``UnrecognizedClientException``), so these have none."""

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
_OPTIONS = frozenset({"region", "table", "retry_mode", "max_attempts", "tls"})


@dataclass(frozen=True)
class DynamoTarget:
    """Where and how to connect; ``repr`` never shows the secret key."""

    table: str
    region: str | None
    endpoint_url: str | None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    retry_mode: RetryMode = "standard"
    max_attempts: int = 5
    redacted: str = ""


def parse_dynamodb_url(url: str, *, retry_mode: RetryMode = "standard") -> DynamoTarget:
    """Parse a ``dynamodb://`` URL; ``ConfigurationError`` names what is wrong (never a secret)."""
    shown = redact_url(url)
    if url_scheme(url) != "dynamodb":
        raise ConfigurationError(f"not a dynamodb:// URL: {shown}")
    rest = url.split("://", 1)[1]
    rest, _, _fragment = rest.partition("#")
    authority, _, query = rest.partition("?")
    authority = authority.rstrip("/")
    if "/" in authority:
        raise ConfigurationError(f"a dynamodb:// URL has no path; use ?table=NAME: {shown}")
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise ConfigurationError(
            f"unknown dynamodb:// option(s) {', '.join(unknown)} in {shown}; "
            f"known: {', '.join(sorted(_OPTIONS))}"
        )
    access_key = secret_key = None
    host = authority
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        user, colon, password = userinfo.partition(":")
        if not colon or not user:
            raise ConfigurationError(f"credentials in a dynamodb:// URL are KEY:SECRET@: {shown}")
        access_key, secret_key = unquote(user), unquote(password)
    table = options.get("table") or DEFAULT_TABLE
    if not _TABLE_NAME.match(table):
        raise ConfigurationError(f"invalid DynamoDB table name {table!r} in {shown}")
    mode = options.get("retry_mode", retry_mode)
    if mode not in RETRY_MODES:
        raise ConfigurationError(f"retry_mode must be one of {', '.join(RETRY_MODES)}: {shown}")
    try:
        attempts = int(options.get("max_attempts", "5"))
    except ValueError:
        attempts = 0
    if not 1 <= attempts <= 20:
        raise ConfigurationError(f"max_attempts must be an integer in 1..20: {shown}")
    region = options.get("region") or None
    endpoint = None
    if host:
        if not re.match(r"^[A-Za-z0-9.\-\[\]:]+$", host):
            raise ConfigurationError(f"invalid host in {shown}")
        tls = options.get("tls", "false").lower() in ("1", "true", "yes")
        endpoint = f"{'https' if tls else 'http'}://{host}"
        region = region or os.environ.get("AWS_REGION") or LOCAL_REGION
        if access_key is None and not os.environ.get("AWS_ACCESS_KEY_ID"):
            access_key, secret_key = LOCAL_CREDENTIALS
    return DynamoTarget(
        table=table,
        region=region,
        endpoint_url=endpoint,
        access_key=access_key,
        secret_key=secret_key,
        retry_mode=mode,
        max_attempts=attempts,
        redacted=shown,
    )
