"""Sizing the parts of a long write, and the chains of a cascading delete."""

from __future__ import annotations

from repokit.infrastructure.sql.cascade_delete import Reference, cascade_paths, part_delete_sql
from repokit.infrastructure.sql.write_parts import PartSizer, first_part_rows


def test_the_first_part_holds_a_fifth_of_the_timeout_at_the_given_rate() -> None:
    assert first_part_rows(30.0, 200.0) == 1_200
    assert first_part_rows(0.25, 200.0) == 10
    assert first_part_rows(0.001, 200.0) == 1


def test_the_next_part_aims_at_a_fifth_of_the_timeout_at_the_measured_rate() -> None:
    sizer = PartSizer(30.0, 1_200)
    sizer.measured(1_200, 1.0)  # 1,200 rows/s: 6 s worth is 7,200 rows
    assert sizer.size == 4_800  # but at most four times the last part
    sizer.measured(4_800, 6.0)  # 800 rows/s
    assert sizer.size == 4_800
    sizer.measured(4_800, 24.0)  # the server slowed down: 200 rows/s
    assert sizer.size == 1_200


def test_a_cancelled_part_is_retried_a_quarter_as_big() -> None:
    sizer = PartSizer(1.0, 100)
    sizer.cancelled(100)
    assert sizer.size == 25
    sizer.cancelled(2)
    assert sizer.size == 1


def test_without_a_timeout_the_whole_write_is_one_part() -> None:
    sizer = PartSizer(None, 10)
    assert sizer.take(1_000_000) == 1_000_000


CHUNKS = Reference("chunks", "document_id", "documents", "id")
DOCUMENTS = Reference("documents", "workspace_id", "workspaces", "id")
ACL = Reference("workspace_acl", "workspace_id", "workspaces", "id")
TREE = Reference("nodes", "parent_id", "nodes", "id")


def test_cascade_chains_are_listed_deepest_first() -> None:
    paths = cascade_paths("workspaces", [CHUNKS, DOCUMENTS, ACL])
    assert paths == [[DOCUMENTS, CHUNKS], [DOCUMENTS], [ACL]]
    assert cascade_paths("chunks", [CHUNKS, DOCUMENTS, ACL]) == []


def test_a_self_reference_is_not_followed_forever() -> None:
    assert cascade_paths("nodes", [TREE]) == []


def test_a_part_deletes_the_last_table_of_the_chain_joined_from_the_root() -> None:
    sql = part_delete_sql("workspaces", [DOCUMENTS, CHUNKS])
    assert sql == (
        "WITH gone AS (DELETE FROM chunks WHERE ctid = ANY(ARRAY(SELECT t2.ctid FROM "
        'workspaces t0 JOIN documents t1 ON t1."workspace_id" = t0."id" '
        'JOIN chunks t2 ON t2."document_id" = t1."id" WHERE t0.id = $1 LIMIT $2)) '
        "RETURNING 1) SELECT count(*) FROM gone"
    )
