"""The guard against weakened suites, on classes built to pass and to fail it.

Each backend module checks its own classes with ``assert_contract_complete``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from repokit.domain.ports import StorePort
from repokit.testing import StoreContract, assert_contract_complete, contract_fold, contract_xfail
from repokit.testing.guard import contract_tests, contract_violations
from repokit.testing.suite import CAPABILITIES

SAMPLE = "test_save_inserts_a_new_document_with_version_1"
INI = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"


def test_no_two_capabilities_share_a_test_name() -> None:
    names = [
        name for capability in CAPABILITIES for name in vars(capability) if name.startswith("test_")
    ]
    assert sorted(names) == sorted(set(names))


def test_store_contract_holds_every_capability_test() -> None:
    every = {name for capability in CAPABILITIES for name in contract_tests(capability)}
    assert set(contract_tests(StoreContract)) == every


def test_an_untouched_subclass_passes() -> None:
    class TestComplete(StoreContract):
        pass

    assert contract_violations(TestComplete) == []


def test_a_dropped_test_fails_the_guard() -> None:
    class TestDropping(StoreContract):
        test_save_inserts_a_new_document_with_version_1 = None  # type: ignore[assignment]

    with pytest.raises(AssertionError, match=f"{SAMPLE} is dropped"):
        assert_contract_complete(TestDropping)


def test_an_unmarked_override_fails_the_guard() -> None:
    class TestOverriding(StoreContract):
        async def test_save_inserts_a_new_document_with_version_1(self, store: StorePort) -> None:
            pass

    with pytest.raises(AssertionError, match=f"{SAMPLE} overrides a contract test"):
        assert_contract_complete(TestOverriding)


def test_an_override_marked_with_a_bare_xfail_fails_the_guard() -> None:
    class TestBareXfail(StoreContract):
        @pytest.mark.xfail(reason="not strict, not a contract mark")
        async def test_save_inserts_a_new_document_with_version_1(self, store: StorePort) -> None:
            pass

    with pytest.raises(AssertionError, match="overrides a contract test"):
        assert_contract_complete(TestBareXfail)


def test_an_override_marked_with_contract_xfail_passes() -> None:
    class TestMarked(StoreContract):
        @contract_xfail(reason="this backend cannot store it yet")
        async def test_save_inserts_a_new_document_with_version_1(self, store: StorePort) -> None:
            await super().test_save_inserts_a_new_document_with_version_1(store)

    assert contract_violations(TestMarked) == []
    marks = {
        mark.name: mark
        for mark in TestMarked.test_save_inserts_a_new_document_with_version_1.pytestmark
    }  # type: ignore[attr-defined]
    assert marks["xfail"].kwargs == {"strict": True, "reason": "this backend cannot store it yet"}


@pytest.mark.parametrize("reason", ["", "   "])
def test_contract_xfail_requires_a_reason(reason: str) -> None:
    with pytest.raises(ValueError, match="non-empty reason"):
        contract_xfail(reason=reason)


def test_an_override_marked_with_contract_fold_passes_and_is_skipped_with_its_reason() -> None:
    class TestFolded(StoreContract):
        @contract_fold(reason="the plain class runs the same code path")
        def test_random_filters_select_what_the_reference_evaluator_selects(self) -> None:
            """Folded."""

    assert contract_violations(TestFolded) == []
    folded = TestFolded.test_random_filters_select_what_the_reference_evaluator_selects
    marks = {mark.name: mark for mark in folded.pytestmark}  # type: ignore[attr-defined]
    assert marks["skip"].kwargs == {"reason": "folded: the plain class runs the same code path"}


@pytest.mark.parametrize("reason", ["", "   "])
def test_contract_fold_requires_a_reason(reason: str) -> None:
    with pytest.raises(ValueError, match="non-empty reason"):
        contract_fold(reason=reason)


def test_every_folded_test_runs_unfolded_in_a_plain_class_of_the_suite() -> None:
    # The cached classes fold only tests that every plain class still runs.
    from folds import CachedEntityFolds, CachedStoreFolds

    from repokit.testing import EntityContract

    for folds, suite in ((CachedStoreFolds, StoreContract), (CachedEntityFolds, EntityContract)):
        folded = [name for name in vars(folds) if name.startswith("test_")]
        assert folded
        for name in folded:
            assert callable(getattr(suite, name)), f"{name} is not a test of {suite.__name__}"


def test_a_class_level_skip_fails_the_guard() -> None:
    @pytest.mark.skip(reason="too slow")
    class TestSkipped(StoreContract):
        pass

    with pytest.raises(AssertionError, match="class-level 'skip' mark"):
        assert_contract_complete(TestSkipped)


def test_disabling_collection_fails_the_guard() -> None:
    class TestHidden(StoreContract):
        __test__ = False

    with pytest.raises(AssertionError, match="__test__ = False"):
        assert_contract_complete(TestHidden)


def test_a_class_with_only_some_capabilities_fails_the_guard() -> None:
    class TestPartial(CAPABILITIES[0]):  # type: ignore[misc,valid-type]
        pass

    with pytest.raises(AssertionError, match="does not inherit StoreContract"):
        assert_contract_complete(TestPartial)


def test_the_plugin_adds_a_failing_guard_item_to_a_weakened_class(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_weak="""
        from repokit.testing import StoreContract

        class TestWeak(StoreContract):
            test_save_inserts_a_new_document_with_version_1 = None

            async def test_count_counts_every_document(self, store):
                pass
        """
    )
    result = pytester.runpytest("-k", "contract_guard", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*TestWeak.test_count_counts_every_document overrides a contract test*",
            "*TestWeak.test_save_inserts_a_new_document_with_version_1 is dropped*",
        ]
    )


def test_the_plugin_turns_a_bare_contract_xfail_mark_into_a_strict_xfail(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_marked="""
        import pytest

        @pytest.mark.contract_xfail(reason="known gap")
        def test_passes_unexpectedly():
            pass
        """
    )
    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*known gap*"])


def test_a_property_test_marked_as_a_known_failure_stops_at_its_first_failing_example(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_properties="""
        import pytest
        from hypothesis import given, strategies as st
        from repokit.testing import contract_xfail
        from repokit.testing.hypothesis_settings import PropertySettings

        SETTINGS = PropertySettings(50)
        TRIED = {"known": 0, "new": 0}

        @contract_xfail(reason="known gap")
        def test_known():
            @SETTINGS
            @given(st.integers(0, 1000))
            def check(n):
                TRIED["known"] += 1
                assert n < 0

            check()

        def test_new():
            @SETTINGS
            @given(st.integers(0, 1000))
            def check(n):
                TRIED["new"] += 1
                assert n < 500

            with pytest.raises(AssertionError):
                check()

        def test_counts():
            # The failing example and its replay for the report: no shrinking, no explaining.
            assert TRIED["known"] <= 2
            assert TRIED["new"] > 2  # shrunk to its smallest failing example
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, xfailed=1)


def test_loading_the_plugin_imports_neither_the_suite_nor_hypothesis() -> None:
    probe = (
        "import sys, repokit.testing.plugin; "
        "print(sorted(m for m in ('hypothesis', 'repokit.testing.suite', 'sqlalchemy') "
        "if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_a_users_own_contract_class_owes_nothing_but_its_own_tests() -> None:
    from repokit.testing import ContractMixin

    class MyOrderContract(ContractMixin):
        async def test_orders_can_be_placed(self, store: StorePort) -> None:
            pass

    class TestMyOrders(MyOrderContract):
        pass

    assert contract_violations(TestMyOrders) == []


def test_an_entity_contract_subclass_is_checked_against_the_entity_suite() -> None:
    from repokit.testing import EntityContract
    from repokit.testing.entity_contract import ENTITY_CAPABILITIES

    class TestEntities(EntityContract):
        pass

    class TestWeakEntities(EntityContract):
        test_delete_returns_true_once_then_false = None

    class TestPartialEntities(ENTITY_CAPABILITIES[0]):  # type: ignore[misc,valid-type]
        pass

    assert contract_violations(TestEntities) == []
    assert contract_violations(TestWeakEntities) == [
        "test_an_entity_contract_subclass_is_checked_against_the_entity_suite.<locals>."
        "TestWeakEntities.test_delete_returns_true_once_then_false is dropped "
        "(contract test missing)"
    ]
    partial = contract_violations(TestPartialEntities)
    assert any("does not inherit EntityContract" in problem for problem in partial)


def test_entity_contract_holds_every_entity_capability_test() -> None:
    from repokit.testing import EntityContract
    from repokit.testing.entity_contract import ENTITY_CAPABILITIES

    every = {name for capability in ENTITY_CAPABILITIES for name in contract_tests(capability)}
    assert set(contract_tests(EntityContract)) == every
    names = [
        name
        for capability in ENTITY_CAPABILITIES
        for name in vars(capability)
        if name.startswith("test_")
    ]
    assert sorted(names) == sorted(set(names))
