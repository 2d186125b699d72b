"""The circuit breaker and the retry backoff, on an injected clock."""

from __future__ import annotations

import pytest

from crm_app.mcp.backoff import Backoff
from crm_app.mcp.breaker import BreakerState, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_consecutive_failures_only() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=3, reset_seconds=10, clock=clock)

    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()

    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    assert breaker.retry_after() == pytest.approx(10)


def test_half_open_lets_one_trial_through_and_its_success_closes() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_seconds=10, clock=clock)
    breaker.record_failure()

    clock.now += 10
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()

    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.allow() and breaker.allow()


def test_a_failed_trial_opens_the_circuit_again() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=2, reset_seconds=5, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow()

    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert breaker.retry_after() == pytest.approx(5)


def test_a_trial_that_never_reports_is_given_up_after_the_reset_time() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_seconds=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow()
    clock.now += 4
    assert not breaker.allow()
    clock.now += 1
    assert breaker.allow()


def test_breaker_rejects_a_threshold_below_one() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=0)


def test_backoff_grows_exponentially_up_to_the_cap() -> None:
    backoff = Backoff(base=0.1, factor=2, cap=1.0)
    assert [backoff.ceiling(attempt) for attempt in range(6)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])


def test_backoff_jitter_spans_zero_to_the_ceiling() -> None:
    backoff = Backoff(base=0.2, factor=2, cap=2.0)
    assert backoff.delay(2, rand=lambda: 0.0) == 0.0
    assert backoff.delay(2, rand=lambda: 0.5) == pytest.approx(0.4)
    assert backoff.delay(2, rand=lambda: 0.999) == pytest.approx(0.7992)
