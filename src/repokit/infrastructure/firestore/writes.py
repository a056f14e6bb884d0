"""One write of a commit, with its precondition and what its failure means."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from repokit.domain.errors import RepokitError

Precondition = Literal["create", "exists", "none"]

MAX_COMMIT_WRITES = 500
"""The batch size of a delete cascade too big for one commit. (Firestore no longer limits
a commit's writes, only its size, 10 MiB: ``save_many`` and units commit whole.)"""


@dataclass(frozen=True, slots=True)
class Write:
    """Put ``data`` at ``ref`` (None deletes it).

    ``precondition``: ``create`` fails when the document exists, ``exists`` when it
    does not. ``refused`` makes the error that a failed precondition stands for.
    """

    ref: Any
    data: dict[str, Any] | None
    precondition: Precondition = "none"
    refused: Callable[[], RepokitError] | None = None

    @property
    def path(self) -> str:
        """The document's path."""
        return str(self.ref.path)

    def add_to(self, batch: Any) -> None:
        """Add this write to a batch or transaction."""
        if self.data is None:
            if self.precondition == "exists":
                batch.delete(self.ref, option=batch._client.write_option(exists=True))
            else:
                batch.delete(self.ref)
        elif self.precondition == "create":
            batch.create(self.ref, self.data)
        else:
            batch.set(self.ref, self.data)


__all__ = ["MAX_COMMIT_WRITES", "Precondition", "Write"]
