"""What a write does with a key that is already stored (or repeated in the batch)."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from repokit.domain.errors import DuplicateError
from repokit.integrations.codec import Record


class WritePolicy(enum.Enum):
    """The duplicate policies both frameworks know.

    ``OVERWRITE`` is LangChain's (adding a document with a stored id replaces it);
    Haystack lets the caller choose per write.
    """

    OVERWRITE = "overwrite"
    SKIP = "skip"
    FAIL = "fail"


def unique_records(records: Sequence[Record], policy: WritePolicy) -> list[Record]:
    """``records`` with a key repeated in the batch kept once, as the policy says.

    ``OVERWRITE`` keeps the last occurrence (in the position of the first), ``SKIP``
    the first; ``FAIL`` raises.

    Raises:
        DuplicateError: under ``FAIL``, naming the first repeated key.
    """
    chosen: dict[str, Record] = {}
    for record in records:
        if record.key not in chosen:
            chosen[record.key] = record
        elif policy is WritePolicy.FAIL:
            raise DuplicateError(f"id {record.key!r} appears twice in one write")
        elif policy is WritePolicy.OVERWRITE:
            chosen[record.key] = record
    return list(chosen.values())


__all__ = ["WritePolicy", "unique_records"]
