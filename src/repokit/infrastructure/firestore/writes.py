"""One write of a commit, with its precondition and what its failure means."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.types import common

from repokit.domain.errors import RepokitError

Precondition = Literal["create", "exists", "update_time", "none"]

MAX_COMMIT_WRITES = 500
"""The batch size of a delete cascade too big for one commit. (Firestore no longer limits
a commit's writes, only its size, 10 MiB: ``save_many`` and units commit whole.)"""


@dataclass(frozen=True, slots=True)
class Write:
    """Put ``data`` at ``ref`` (None deletes it).

    ``precondition``: ``create`` fails when the document exists, ``exists`` when it
    does not, ``update_time`` when it changed since it was read at ``update_time``.
    ``refused`` makes the error that a failed precondition stands for (None: a
    concurrent change, after which the call is run again).
    """

    ref: Any
    data: dict[str, Any] | None
    precondition: Precondition = "none"
    refused: Callable[[], RepokitError] | None = None
    update_time: Any = None

    @property
    def path(self) -> str:
        """The document's path."""
        return str(self.ref.path)

    def add_to(self, batch: Any) -> None:
        """Add this write to a batch or transaction."""
        client = batch._client
        if self.data is None:
            if self.precondition == "exists":
                batch.delete(self.ref, option=client.write_option(exists=True))
            elif self.precondition == "update_time":
                option = client.write_option(last_update_time=self.update_time)
                batch.delete(self.ref, option=option)
            else:
                batch.delete(self.ref)
        elif self.precondition == "create":
            batch.create(self.ref, self.data)
        elif self.precondition == "update_time":
            # A whole-document set that holds only if nobody wrote since the read.
            pbs = _helpers.pbs_for_set_no_merge(self.ref._document_path, self.data)
            pbs[0].current_document = common.Precondition(update_time=self.update_time)
            batch._add_write_pbs(pbs)
        else:
            batch.set(self.ref, self.data)


__all__ = ["MAX_COMMIT_WRITES", "Precondition", "Write"]
