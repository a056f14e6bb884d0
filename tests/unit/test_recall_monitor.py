"""The recall monitor: which searches are sampled, the estimate, q/s and the warning."""

from __future__ import annotations

import logging

import pytest

from repokit.infrastructure.recall_monitor import MIN_SAMPLES, WINDOW, RecallMonitor


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def monitor(
    rate: float = 0.25, *, exact: bool = False, clock: Clock | None = None
) -> RecallMonitor:
    return RecallMonitor(sample_rate=rate, target_recall=0.9, exact=exact, clock=clock or Clock())


def test_the_first_search_and_then_one_in_round_1_over_rate_are_sampled() -> None:
    watched = monitor(0.25)
    picks = [watched.observe(exact=False) for _ in range(9)]
    assert picks == [True, False, False, False, True, False, False, False, True]


def test_exact_calls_are_counted_but_never_sampled() -> None:
    watched = monitor(1.0)
    assert watched.observe(exact=True) is False
    assert watched.observe(exact=False) is True
    assert watched.stats().searches == 2


def test_rate_0_and_exact_backends_sample_nothing() -> None:
    assert not any(monitor(0.0).observe(exact=False) for _ in range(50))
    exact = monitor(1.0, exact=True)
    assert not any(exact.observe(exact=False) for _ in range(50))
    assert exact.stats().recall == 1.0


def test_the_estimate_is_found_over_expected_in_the_window() -> None:
    watched = monitor()
    assert watched.stats().recall is None
    watched.record(10, 10)
    watched.record(5, 10)
    watched.record(3, 0)  # nothing matched: no evidence
    stats = watched.stats()
    assert (stats.sampled, stats.recall) == (2, 0.75)
    for _ in range(WINDOW):
        watched.record(8, 10)
    assert watched.stats().recall == pytest.approx(0.8)  # the old samples left the window
    assert watched.stats().sampled == WINDOW


def test_queries_per_second_span_the_first_to_the_last_search() -> None:
    clock = Clock()
    watched = monitor(clock=clock)
    watched.observe(exact=False)
    assert watched.stats().queries_per_s == 0.0
    for _ in range(10):
        clock.now += 0.5
        watched.observe(exact=False)
    assert watched.stats().queries_per_s == pytest.approx(2.0)


def test_a_fall_below_the_target_warns_once_and_again_after_a_recovery(
    caplog: pytest.LogCaptureFixture,
) -> None:
    watched = monitor()
    with caplog.at_level(logging.WARNING, logger="repokit.search"):
        for _ in range(MIN_SAMPLES - 1):
            watched.record(5, 10)
        assert caplog.records == []  # too few samples to say
        for _ in range(5):
            watched.record(5, 10)
        assert len(caplog.records) == 1
        assert watched.stats().below_target
        for _ in range(WINDOW):
            watched.record(10, 10)
        assert not watched.stats().below_target
        for _ in range(WINDOW):
            watched.record(0, 10)
    assert len(caplog.records) == 2
    assert all(record.name == "repokit.search" for record in caplog.records)
