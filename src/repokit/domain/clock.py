"""Timestamps as repokit stores them: aware UTC, millisecond precision.

Milliseconds are the finest precision that every backend keeps exactly (BSON
dates and DynamoDB's usual ISO strings included), so truncating once, here, makes
a timestamp read back from any backend equal to the one written.
"""

from __future__ import annotations

from datetime import UTC, datetime


def normalize_timestamp(value: datetime) -> datetime:
    """Return ``value`` in UTC truncated to milliseconds; a naive value is taken as UTC."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond - value.microsecond % 1000)


def utc_now() -> datetime:
    """The current time, normalised like every stored timestamp."""
    return normalize_timestamp(datetime.now(UTC))
