"""A count-based circuit breaker: `failures` failures within `window` seconds open it; after
`recovery` seconds one half-open probe is let through; its success closes the breaker, its failure
opens it again for another `recovery`.

Hand-written (about 80 lines) rather than taken from PyPI: the asyncio breakers there count
failures without a time window (aiobreaker's `fail_max`, last released in 2021, and purgatory's
`threshold` with its `ttl` as the open time), while this one has to match the count-in-a-window
semantics Squall's breaker expectations are written against. It is not thread-safe and needs no lock: it is only touched from the event loop thread.
"""
from __future__ import annotations

import logging
import time
from collections import deque
from typing import Callable

log = logging.getLogger("tasks.breaker")

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitOpenError(Exception):
    """Raised instead of calling the LLM while the breaker is open (or its one probe is out)."""

    def __init__(self, retry_in: float):
        super().__init__(f"circuit open, next probe in {retry_in:.2f}s")
        self.retry_in = retry_in


class CircuitBreaker:
    """The breaker state machine; `clock` is injectable so tests can drive it with explicit instants."""

    def __init__(self, failures: int, window: float, recovery: float,
                 clock: Callable[[], float] = time.monotonic):
        if failures < 1 or window <= 0 or recovery <= 0:
            raise ValueError("failures >= 1, window > 0 and recovery > 0 are required")
        self.failures, self.window, self.recovery = failures, window, recovery
        self._clock = clock
        self._recent: deque[float] = deque(maxlen=failures)  # failure instants inside the window
        self._opened_at = 0.0
        self._probe_out = False
        self.state = CLOSED

    def before_call(self) -> None:
        """Admits a call or raises CircuitOpenError. Every admitted call must end in exactly one of
        on_success / on_failure / on_abandon."""
        if self.state == CLOSED:
            return
        now = self._clock()
        if self.state == OPEN and now - self._opened_at >= self.recovery:
            self._move(HALF_OPEN)
        if self.state == HALF_OPEN and not self._probe_out:
            self._probe_out = True
            return
        raise CircuitOpenError(max(0.0, self._opened_at + self.recovery - now))

    def on_success(self) -> None:
        """The provider answered: a half-open probe closes the breaker."""
        if self.state == HALF_OPEN:
            self._probe_out = False
            self._recent.clear()
            self._move(CLOSED)

    def on_failure(self) -> None:
        """The provider failed (5xx, 429, timeout, connection error)."""
        now = self._clock()
        if self.state == HALF_OPEN:
            self._probe_out = False
            self._open(now)
            return
        if self.state == OPEN:  # a call admitted before the breaker opened, failing late
            return
        self._recent.append(now)
        while self._recent and now - self._recent[0] > self.window:
            self._recent.popleft()
        if len(self._recent) >= self.failures:
            self._open(now)

    def on_abandon(self) -> None:
        """The call was cut short (shutdown): no verdict; a probe slot is given back."""
        if self.state == HALF_OPEN:
            self._probe_out = False

    def _open(self, now: float) -> None:
        self._opened_at = now
        self._recent.clear()
        self._move(OPEN)

    def _move(self, state: str) -> None:
        log.warning("circuit breaker %s -> %s", self.state, state)
        self.state = state
