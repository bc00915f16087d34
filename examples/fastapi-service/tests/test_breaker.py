"""The circuit breaker state machine, driven with explicit instants (no sleeps, no server)."""
from __future__ import annotations

import pytest

from breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker, CircuitOpenError


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker(failures=3, window=10.0, recovery=5.0, clock=clock)


def test_opens_after_threshold_failures_inside_the_window() -> None:
    clock = Clock()
    b = breaker(clock)
    for t in (0.0, 4.0, 9.0):
        clock.now = t
        b.before_call()
        b.on_failure()
    assert b.state == OPEN
    with pytest.raises(CircuitOpenError):
        b.before_call()


def test_failures_spread_wider_than_the_window_do_not_open_it() -> None:
    clock = Clock()
    b = breaker(clock)
    for t in (0.0, 6.0, 12.0, 18.0):  # never 3 within 10 s
        clock.now = t
        b.before_call()
        b.on_failure()
    assert b.state == CLOSED


def test_one_probe_after_recovery_and_its_success_closes() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        b.before_call()
        b.on_failure()
    clock.now = 4.9
    with pytest.raises(CircuitOpenError):
        b.before_call()
    clock.now = 5.0
    b.before_call()  # the probe
    assert b.state == HALF_OPEN
    with pytest.raises(CircuitOpenError):
        b.before_call()  # only one probe at a time
    b.on_success()
    assert b.state == CLOSED
    b.before_call()


def test_a_failed_probe_reopens_for_another_recovery() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        b.before_call()
        b.on_failure()
    clock.now = 5.0
    b.before_call()
    b.on_failure()
    assert b.state == OPEN
    clock.now = 9.9
    with pytest.raises(CircuitOpenError):
        b.before_call()
    clock.now = 10.0
    b.before_call()
    assert b.state == HALF_OPEN


def test_an_abandoned_probe_gives_the_slot_back() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        b.before_call()
        b.on_failure()
    clock.now = 5.0
    b.before_call()
    b.on_abandon()
    b.before_call()  # another probe may go
    assert b.state == HALF_OPEN
