"""A circuit breaker per tool server: stop calling a server that keeps failing, then try again."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from crm_app.mcp.config import ServerConfig

DEFAULT_FAILURE_THRESHOLD = 5
DEFAULT_RESET_SECONDS = 30.0


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``failure_threshold`` consecutive failures and stays open ``reset_seconds``.

    Then it lets a single trial call through (half-open): its success closes the circuit,
    its failure opens it again. A trial that never reports back (its caller was cancelled)
    is given up after ``reset_seconds`` so another trial may start.
    """

    def __init__(
        self,
        *,
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        reset_seconds: float = DEFAULT_RESET_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self._threshold = failure_threshold
        self._reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_started: float | None = None

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at < self._reset_seconds:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def retry_after(self) -> float:
        """Seconds until a call may be tried again (0 when one may go now)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._opened_at + self._reset_seconds - self._clock())

    def allow(self) -> bool:
        """Whether a call may go to the server now; in half-open state only one may."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN:
            return False
        now = self._clock()
        if self._trial_started is not None and now - self._trial_started < self._reset_seconds:
            return False
        self._trial_started = now
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_started = None

    def record_failure(self) -> None:
        self._failures += 1
        if self._opened_at is not None or self._failures >= self._threshold:
            self._opened_at = self._clock()
            self._trial_started = None


class BreakerBoard:
    """One breaker per server address, with the server it was made for (so a health check can ask it)."""

    def __init__(self, *, failure_threshold: int, reset_seconds: float, clock: Callable[[], float]) -> None:
        self._threshold = failure_threshold
        self._reset_seconds = reset_seconds
        self._clock = clock
        self._breakers: dict[str, CircuitBreaker] = {}
        self._servers: dict[str, ServerConfig] = {}

    def of(self, server: ServerConfig) -> CircuitBreaker:
        breaker = self._breakers.get(server.url)
        if breaker is None:
            breaker = CircuitBreaker(
                failure_threshold=self._threshold, reset_seconds=self._reset_seconds, clock=self._clock
            )
            self._breakers[server.url] = breaker
        self._servers[server.url] = server
        return breaker

    def paused(self) -> list[ServerConfig]:
        """The servers whose breaker is not closed."""
        return [self._servers[url] for url, b in self._breakers.items() if b.state is not BreakerState.CLOSED]
