"""``python -m repokit.infrastructure.dynamodb.emulator_server``: moto_server, two fixes applied.

moto 5.2's ``TransactWriteItems`` backs up the whole table once for *every
action* of a transaction (a ``deepcopy`` inside its loop over the actions), so
one transaction of 100 actions on a table of 1,500 items copies 150,000 items
and takes seconds, and long transactions run into the client's read timeout.
This entry point backs each table up once per transaction, which is what the
backup is for (the rollback of a cancelled transaction). And it runs one
transaction at a time: moto's rollback puts the backed-up tables back, so a
transaction cancelled while another one committed (the server serves requests
on threads) would undo the other's writes, where DynamoDB keeps them. Nothing
else changes.
It is the server :class:`~.emulator.MotoServer` starts, for tests, the benchmark
and trying things out. Never imported by the adapter itself.
"""

from __future__ import annotations

import copy
import sys
import threading
from contextvars import ContextVar
from typing import Any

_BACKUPS: ContextVar[dict[int, Any] | None] = ContextVar("repokit_moto_backups", default=None)
_ONE_TRANSACTION_AT_A_TIME = threading.Lock()


def _table_deepcopy(self: Any, memo: dict[int, Any]) -> Any:
    """A table's deep copy, made once per transaction (see the module docs)."""
    backups = _BACKUPS.get()
    if backups is not None and id(self) in backups:
        return backups[id(self)]
    cls, args, state, listiter, dictiter = self.__reduce_ex__(4)[:5]
    clone = copy._reconstruct(  # type: ignore[attr-defined]
        self, memo, cls, args, state, listiter, dictiter
    )
    if backups is not None:
        backups[id(self)] = clone
    return clone


def patch_moto() -> None:
    """Make ``TransactWriteItems`` back each table up once per transaction, one at a time."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: Any) -> Any:
        with _ONE_TRANSACTION_AT_A_TIME:
            token = _BACKUPS.set({})
            try:
                return original(self, transact_items)
            finally:
                _BACKUPS.reset(token)

    setattr(Table, "__deepcopy__", _table_deepcopy)  # noqa: B010 (moto's class, patched)
    setattr(DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010


def main() -> int:
    """Run moto_server with the arguments given (``-H host -p port``)."""
    patch_moto()
    from moto.server import main as moto_main

    sys.argv[0] = "moto_server"
    moto_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
