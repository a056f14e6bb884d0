"""Keyset cursors: opaque, signed, bound to their listing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from uuid import UUID

import pytest

from repokit.domain.errors import InvalidQueryError
from repokit.domain.paging import KeysetPosition, decode_cursor, encode_cursor

POSITION = KeysetPosition(
    datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC), UUID("01900000-0000-7000-8000-000000000001")
)


def test_round_trip() -> None:
    assert decode_cursor("documents", encode_cursor("documents", POSITION)) == POSITION


def test_cursor_is_url_safe_text() -> None:
    cursor = encode_cursor("documents", POSITION)
    assert cursor.replace("-", "").replace("_", "").isalnum()


def test_cursor_of_another_listing_is_rejected() -> None:
    with pytest.raises(InvalidQueryError, match="'audit' listing"):
        decode_cursor("documents", encode_cursor("audit", POSITION))


def test_edited_cursor_is_rejected() -> None:
    raw = bytearray(base64.urlsafe_b64decode(encode_cursor("documents", POSITION) + "=="))
    raw[-3] ^= 0x01  # flip one bit of the payload
    edited = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(InvalidQueryError, match="altered or truncated"):
        decode_cursor("documents", edited)


def test_forged_cursor_without_the_key_is_rejected() -> None:
    payload = b'["documents","2024-01-01T00:00:00+00:00","01900000-0000-7000-8000-000000000001"]'
    forged = base64.urlsafe_b64encode(b"\0" * 12 + payload).decode()
    with pytest.raises(InvalidQueryError):
        decode_cursor("documents", forged)


@pytest.mark.parametrize("cursor", ["", "!!!", "abc", encode_cursor("documents", POSITION)[:-4]])
def test_garbage_and_truncated_cursors_are_rejected(cursor: str) -> None:
    with pytest.raises(InvalidQueryError):
        decode_cursor("documents", cursor)
